# gongkai-bot: the bot in a slim image. The database lives on the /data volume.
#   docker build -t gongkai-bot .
#   docker run -v gongkai-data:/data -e GONGKAI_BOT_TOKEN=... gongkai-bot
FROM python:3.11-slim

# A CJK font so that charts and documents render Chinese labels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GONGKAI_DATABASE_URL=sqlite:////data/gongkai.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY jobs ./jobs
COPY runtime ./runtime
COPY domain ./domain
COPY storage ./storage
COPY reports ./reports
COPY examples ./examples
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 gongkai \
    && mkdir -p /data && chown gongkai /data

USER gongkai
VOLUME ["/data"]
# Migrate on every start (a no-op when current), then run the bot.
CMD ["sh", "-c", "gongkai db upgrade && exec gongkai run"]
