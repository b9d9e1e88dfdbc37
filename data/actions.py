"""Every write the product makes, with its permission check and its audit line.

Pages and commands call these, never the store's writers directly, so that a clerk who
crafts a request still cannot write another unit's data.
"""
from __future__ import annotations

from data import auth, store
from data.auth import AuthError, User
from data.importer import Upload


def upload(user: User, uploads: list[Upload], db=None, *, commit: bool = True, sample: bool = False):
    """Validate and (with commit) import; a clerk's rows must all be their own unit's."""
    auth.require(user, "sample" if sample else "upload")
    result = store.import_files(uploads, db, user=user.name, commit=commit, sample=sample,
                                allowed_units=auth.allowed_units(user), allowed_templates=auth.allowed_templates(user))
    if commit:
        names = "、".join(u.name for u in uploads)
        detail = (f"第{result.upload_id}次上传：{names}，新增 {result.added} 行，替换 {result.replaced} 行" if result.ok
                  else f"{names}：被拒绝，{len(result.problems)} 处问题")
        auth.audit("upload", user.name, result.ok, detail, db)
    return result


def rollback(user: User, upload_id: int, db=None) -> dict:
    auth.require(user, "rollback")
    mine = auth.allowed_units(user)
    if mine is not None and not store.upload_units(upload_id, db) <= mine:
        auth.audit("rollback", user.name, False, f"第{upload_id}次上传含其他单位数据", db)
        raise AuthError("这次上传包含其他单位的数据，只有管理员可以撤销")
    try:
        done = store.rollback(upload_id, db, user=user.name)
    except store.RollbackRefused as e:
        auth.audit("rollback", user.name, False, f"第{upload_id}次上传：{e}", db)
        raise
    auth.audit("rollback", user.name, True, f"第{upload_id}次上传：移除 {done['removed']} 行，恢复 {done['restored']} 行", db)
    return done


def load_sample(user: User, db=None):
    auth.require(user, "sample")
    from data.sample import load_sample as load

    result = load(db)
    auth.audit("sample", user.name, result.ok, f"载入示例数据：新增 {result.added} 行", db)
    return result


def remove_sample(user: User, db=None) -> int:
    auth.require(user, "sample")
    n = store.remove_sample(db)
    auth.audit("sample", user.name, True, f"删除示例数据（{n} 次示例上传）", db)
    return n


def history(user: User, db=None):
    """Upload history; a clerk sees only the uploads of their own unit."""
    auth.require(user, "history")
    frame = store.history(db)
    mine = auth.allowed_units(user)
    if mine is not None and not frame.empty:
        keep = [store.upload_units(int(i), db) <= mine for i in frame["id"]]
        frame = frame[keep]
    return frame


def exported(user: User, what: str, db=None) -> None:
    """Exports are read-only but audited: the figures left the building."""
    auth.require(user, "export")
    auth.audit("export", user.name, True, what, db)
