"""The floor for the cold-start benchmark: a Streamlit page with a title and one small chart,
no imports of its own. Its first render is Streamlit's share (the frontend's start, a first
script run, the chart library); the rest of Explore's is the app's."""

import streamlit as st

st.set_page_config(layout="wide")
st.title("One chart")
st.vega_lite_chart({"mark": "bar", "width": 400, "height": 300,
                    "encoding": {"x": {"datum": 1, "type": "quantitative"},
                                 "y": {"datum": 1, "type": "quantitative"}},
                    "usermeta": {"embedOptions": {"renderer": "canvas"}}})
