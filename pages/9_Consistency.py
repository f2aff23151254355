"""Consistency page: how fast the error falls with n (d2l new edition, exercise 4)."""

import streamlit as st

from ui.consistency import consistency_panel
from ui.page import setup_page

setup_page("Consistency", icon="📉")
st.title("Consistency: how fast must the width shrink?")
st.markdown(
    "As n grows, Nadaraya–Watson approaches the true function if h shrinks, but not too fast. "
    "The squared **bias** grows like h⁴ (the kernel averages over a window of width h) and the "
    "**variance** like 1/(n h^d) (about n h^d keys fall in the window). Balancing them gives")
st.latex(r"h \propto n^{-1/(4+d)} \quad\Rightarrow\quad "
         r"\text{MSE} \propto n^{-4/(4+d)}:\quad -\tfrac45 \text{ in 1-D},\quad "
         r"-\tfrac23 \text{ in 2-D}")
st.markdown(
    "so each extra input dimension slows learning (the curse of dimensionality). Below, the "
    "experiment draws n points from a known law (uniform keys on [0, 5]^d, noise σ = 0.5), "
    "fits with h = c·n^(−1/(4+d)) and measures the error against the noise-free truth in the "
    "interior, [1, 4]^d (near the edges NW's bias is O(h), a slower rate). On log-log axes the "
    "error is a line whose slope can be read off.")

# Not a fragment: a control changed inside a fragment does not stop a run under way, while a
# full rerun request does (at the progress bar's next update).
consistency_panel()
st.caption("With a few repetitions the fitted slopes scatter by a few hundredths around the "
           "limits; with many (20 per n) they come out a little steeper, about −0.83 and −0.69, "
           "because at small n higher-order bias terms still add to the error. Leave-one-out CV "
           "finds a bandwidth of the right order on each sample by itself, without knowing the "
           "rate.")
