"""How big the page is, reported by the browser, so that charts can be laid out for it.

A small Streamlit component (``st.components.v2``, inline JavaScript, no build step) reports the
width of the main column, the window's height and whether the window is at least
:data:`SIDE_BY_SIDE_WINDOW` pixels wide (CSS pixels: at 150 % zoom a 1280-pixel window counts as
853). It reports once when the page opens and again only when the column or the window changes
by :data:`COLUMN_STEP` pixels or more (a window resized, the sidebar opened or closed; never a
scrollbar, so a chart's height cannot make the layout flip back and forth), so it costs one rerun
per page load, not one per resize event.

A page calls :func:`report_viewport` first, before its heavy imports: the browser measures (in
the page's layout, beside its sidebar) and loads the chart library while they run, so a fresh
server's first render waits for neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

#: Every page's layout: the main column takes the window's width (less the sidebar).
LAYOUT = "wide"
#: Windows at least this wide show the fit and the heatmap side by side.
SIDE_BY_SIDE_WINDOW = 1100
#: The column width is reported in steps of this many pixels, and again only after it (or the
#: window's height) changed by at least as much.
COLUMN_STEP = 40

_REPORT_WIDTH = f"""
export default function ({{ parentElement, setStateValue }}) {{
  const last = parentElement.dataset;  // survives the component's re-runs
  const report = () => {{
    const wide = window.innerWidth >= {SIDE_BY_SIDE_WINDOW};
    const width = parentElement.getBoundingClientRect().width;
    const height = window.innerHeight;
    const moved = (now, before) => before === undefined ||
      Math.abs(now - Number(before)) >= {COLUMN_STEP};
    if (width <= 0 || (String(wide) === last.wide && !moved(width, last.width) &&
                       !moved(height, last.height))) return;
    Object.assign(last, {{ wide, width, height }});
    const step = (pixels) => Math.round(pixels / {COLUMN_STEP}) * {COLUMN_STEP};
    setStateValue("size", {{ wide, column: step(width), height: step(height) }});
  }};
  report();
  let timer = null;
  const later = () => {{ clearTimeout(timer); timer = setTimeout(report, 250); }};
  const column = new ResizeObserver(later);  // the sidebar opened or closed, the window resized
  column.observe(parentElement);
  window.addEventListener("resize", later);
  return () => {{
    column.disconnect(); window.removeEventListener("resize", later); clearTimeout(timer);
  }};
}}
"""

_report_width = st.components.v2.component("page_width", js=_REPORT_WIDTH, isolate_styles=False)


@dataclass(frozen=True)
class Viewport:
    """The main column's width and the window's height in pixels, and whether the window is
    wide enough for two charts side by side."""

    column: int
    wide: bool
    height: int


#: Until the browser has reported: a 1280 × 720 projector with the sidebar open.
DEFAULT = Viewport(column=920, wide=True, height=720)
#: Where the session keeps the last size reported (the component's own value is dropped when
#: another page is shown).
_LAST_REPORTED = "_viewport"


#: A chart too small to see, drawn while the browser waits for the page's first run: it makes
#: Streamlit fetch and start its chart library then, not after the real chart arrives (a new
#: visitor's first render of Explore: 1.8 s → 1.5 s). No data, so Streamlit converts no table.
_PREFETCH_SPEC = {"mark": "tick", "encoding": {"x": {"datum": 0, "type": "quantitative"}},
                  "usermeta": {"embedOptions": {"renderer": "canvas"}}}
_PREFETCH_KEY = "chart_library_prefetch"
_PROBE_KEY = "page_width"


def report_viewport() -> None:
    """The probe that reports the page's size; call it first, before a page's heavy imports:
    the browser measures, and starts loading the chart library, while they run (its report then
    reruns the page). Keeps the size reported in the session."""
    st.set_page_config(layout=LAYOUT)  # measured in the layout the page will have,
    st.sidebar.empty()  # beside its sidebar (the menu follows the page's imports)
    result = _report_width(key=_PROBE_KEY, default={"size": None},
                           on_size_change=lambda: None, height=0)
    size = result.size if isinstance(getattr(result, "size", None), dict) else None
    if size:
        try:
            st.session_state[_LAST_REPORTED] = Viewport(
                column=max(320, int(size["column"])), wide=bool(size["wide"]),
                height=max(480, int(size["height"])))
        except (KeyError, TypeError, ValueError):
            st.session_state[_LAST_REPORTED] = DEFAULT
    # The probe takes no room (its zero-height box would add a gap), the prefetch is not shown.
    st.html(f"<style>.st-key-{_PROBE_KEY} {{ margin-bottom: -1rem; }} "
            f".st-key-{_PREFETCH_KEY} {{ display: none; }}</style>")
    prefetch = st.empty()  # empty once the size is known: later elements keep their places
    if _LAST_REPORTED not in st.session_state and st.context.headers:
        with prefetch.container():
            st.vega_lite_chart(_PREFETCH_SPEC, key=_PREFETCH_KEY)


def viewport() -> Viewport | None:
    """The page's size as last reported to :func:`report_viewport` in this session (a page
    opened again starts with it while the probe reports anew); ``None`` in a browser that has not
    reported yet (a session's first run of the page: the report follows at once and reruns the
    page, so a chart laid out now would be built and drawn twice); :data:`DEFAULT` without a
    browser (AppTest, which sends no request headers)."""
    if _LAST_REPORTED in st.session_state:
        return st.session_state[_LAST_REPORTED]
    return None if st.context.headers else DEFAULT
