"""placeholder"""
import streamlit as st

st.title("建设中")
