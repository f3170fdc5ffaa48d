# syntax=docker/dockerfile:1
# newstag: the gRPC tagger with its model baked in. Build and run: see deploy/README.md.
#   docker build -t newstag:0.1.0 .
#   docker run --rm -p 50051:50051 newstag:0.1.0

########## builder: the release binary and the health probe ##########
FROM rust:1-bookworm AS builder

# Health probe for HEALTHCHECK: grpc_health_probe 1.0.1 from crates.io, the Rust port of
# grpc-ecosystem/grpc-health-probe (same flags: --addr, --service, --connect-timeout,
# --rpc-timeout; exit 0 only on SERVING). Built here with `cargo install --locked`, so the image
# downloads nothing outside the package registries (the usual prebuilt Go probe would come from a
# release page). Its build script runs protoc, which Debian's protobuf-compiler provides.
# (grpcurl from the PyPI wheel would also do, but would pull Python into the runtime image.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends protobuf-compiler \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    PROTOC=/usr/bin/protoc cargo install --locked grpc_health_probe --version 1.0.1 --root /opt/probe

WORKDIR /src
# What `cargo build` reads: the manifest and lock file, the build script and its proto files,
# the patched vendored crate, the sources, and benches/ (the manifest names a bench target).
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto proto
COPY vendor vendor
COPY benches benches
COPY src src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin newstag \
 && cp target/release/newstag /usr/local/bin/newstag

########## runtime: Debian slim, non-root, model at /app/models ##########
FROM debian:bookworm-slim

# The binary links only glibc, libm and libgcc_s, all in the base image: no packages to add.
RUN groupadd --system --gid 10001 newstag \
 && useradd --system --uid 10001 --gid newstag --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin newstag

COPY --from=builder /usr/local/bin/newstag /usr/local/bin/newstag
COPY --from=builder /opt/probe/bin/grpc_health_probe /usr/local/bin/grpc_health_probe
# The model file is self-contained (vocabulary, weights, jieba user dictionary); the card
# documents it. Owned by root and read-only for the service user.
COPY models/newstag.model models/MODEL_CARD.md /app/models/

WORKDIR /app
ENV NEWSTAG_ADDR=0.0.0.0:50051 \
    NEWSTAG_MODEL=/app/models/newstag.model \
    NEWSTAG_LOG_FORMAT=json \
    NEWSTAG_DRAIN_SECONDS=30 \
    MALLOC_ARENA_MAX=2 \
    RUST_LOG=info

USER 10001:10001
EXPOSE 50051

# The probe asks grpc.health.v1.Health/Check for newstag.v1.Tagger, which turns NOT_SERVING as
# soon as the server starts draining. It targets port 50051: change it if NEWSTAG_ADDR changes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["grpc_health_probe", "--addr=http://127.0.0.1:50051", "--service=newstag.v1.Tagger", \
       "--connect-timeout=1000", "--rpc-timeout=1000"]

# SIGTERM starts a graceful drain of NEWSTAG_DRAIN_SECONDS (give `docker stop -t` more than that).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/newstag"]
CMD ["serve"]
