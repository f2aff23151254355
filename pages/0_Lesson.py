"""Lesson page: the d2l attention-pooling chapter step by step, each step setting up the app."""

import streamlit as st

from ui.lesson import current_step, figure_and_notes, step_figure, step_header, \
    step_navigation, step_notes, steps_menu
from ui.page import setup_page

setup_page("Lesson", icon="🧭", lesson=True)
st.title("The chapter as a lesson")
step = current_step()
steps_menu(step)
step_header(step)
figure, notes = figure_and_notes(step)
with figure:
    step_figure(step)
with notes:
    step_notes(step)
step_navigation(step)
