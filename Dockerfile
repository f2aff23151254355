# The app as a deployment runs it: one Streamlit process on port 8501. A class larger than one
# process holds runs several of these behind a load balancer with session affinity (see the
# README, "Serving a large class").
FROM python:3.11-slim

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY .streamlit .streamlit
COPY app.py .
COPY nwcore nwcore
COPY ui ui
COPY pages pages
# Bytecode compiled now: the app's user cannot write it in /app, and a fresh container would
# otherwise compile nwcore and ui from source on its first page (~0.1 s).
RUN python -m compileall -q app.py nwcore ui pages

RUN useradd --create-home --uid 10001 lab
USER lab

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", \
     "--server.headless=true"]
