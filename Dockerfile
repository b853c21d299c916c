# syntax=docker/dockerfile:1

# Build: cgo is on, because SQLite (github.com/mattn/go-sqlite3) is C.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/catweete .

# Run: a small Debian with the C library the binary links to, CA
# certificates for the networks' HTTPS APIs, and a user that is not root.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin catweete \
 && mkdir -p /data && chown catweete /data
COPY --from=build /out/catweete /usr/local/bin/catweete
USER catweete
WORKDIR /data
# The database lives on the volume, so it survives the container.
VOLUME ["/data"]
ENV CATWEETE_DB=/data/catweete.db \
    CATWEETE_HTTP_ADDR=:3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["catweete", "healthcheck"]
ENTRYPOINT ["catweete"]
