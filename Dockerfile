# Assay: one static Go binary (pure-Go SQLite, no cgo) plus native ffmpeg.
#
#   docker build -t assay .
#   docker run -p 8080:8080 -v assay-data:/data \
#     -e ASSAY_PUBLIC_URL=https://video.example assay

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/assay ./cmd/assay

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 assay \
 && useradd --system --uid 10001 --gid assay --home-dir /data --no-create-home --shell /usr/sbin/nologin assay \
 && mkdir -p /data \
 && chown assay:assay /data
COPY --from=build /out/assay /usr/local/bin/assay
ENV ASSAY_DATA_DIR=/data ASSAY_LISTEN=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
USER assay
# No HEALTHCHECK: the image has no HTTP client; probe GET /healthz from outside.
ENTRYPOINT ["/usr/local/bin/assay"]
CMD ["serve"]
