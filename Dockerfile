# The backtrack binary: API (`serve`) and reminder worker (`worker`) in one image.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked --bin backtrack

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/backtrack --create-home backtrack
COPY --from=build /src/target/release/backtrack /usr/local/bin/backtrack
USER backtrack
WORKDIR /var/lib/backtrack
ENV BACKTRACK_BIND=0.0.0.0:8080 BACKTRACK_DATA_DIR=/var/lib/backtrack/data
EXPOSE 8080
ENTRYPOINT ["backtrack"]
CMD ["serve"]
