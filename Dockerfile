# mab's own image: a static (musl) mab for each platform in /usr/bin, with xx's names (xx-info, xx-cc, ...)
# as symlinks, in an empty image. Generated Dockerfiles copy it with `COPY --from=mab /usr/bin/ /usr/local/bin/`.
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 --tag mab .
# mab builds itself: every compile runs on the build machine (FROM --platform=$BUILDPLATFORM), so no
# platform is emulated. RUST_IMAGE replaces the build image (--build-arg RUST_IMAGE=...); MAB_IMAGE_REPO
# is where this image will be pushed (ghcr.io/<owner>/mab), the image the built mab's generated
# Dockerfiles pull by default. The stage "export" holds the binary alone, for release downloads:
#   docker buildx build --platform linux/arm64 --target export --output type=local,dest=dist .
ARG RUST_IMAGE=rust:1-bookworm

FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS build
# clang compiles the crates' C code (ring, under rustls) for any musl target; rustc links it with its own
# musl, so no musl C toolchain is needed.
RUN command -v clang >/dev/null \
 || { apt-get update && apt-get install -y --no-install-recommends clang && rm -rf /var/lib/apt/lists/*; }
WORKDIR /src
COPY . .
# A native mab first (debug: it only drives the next step), shared by every target platform because it
# comes before ARG TARGETPLATFORM.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,id=mab-native,sharing=locked \
    cargo build --locked --bin mab \
 && cp target/debug/mab /usr/local/bin/mab
ARG TARGETPLATFORM
# Then mab cross-builds itself for TARGETPLATFORM against musl (Rust links *-linux-musl with rust-lld;
# mab cargo gives the cc crate clang for the target), checks that the result is a static executable for the target, and makes the
# xx-* links next to it.
ENV XX_LIBC=musl
ARG MAB_IMAGE_REPO
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,id=mab-cross,sharing=locked \
    mab cargo build --locked --release --bin mab \
 && mkdir -p /out/usr/bin /export \
 && cp "target/$(mab cargo --print-target-triple)/release/mab" /out/usr/bin/mab \
 && mab verify --static /out/usr/bin/mab \
 && mab links /out/usr/bin \
 && name="mab-$(mab info platform | tr / -)" \
 && cp /out/usr/bin/mab "/export/$name" \
 && (cd /export && sha256sum "$name" >"$name.sha256")

# The release download: mab-<os>-<arch>[-<variant>] and its SHA-256 line (`sha256sum -c` reads it).
FROM scratch AS export
COPY --from=build /export/ /

FROM scratch AS image
COPY --from=build /out/ /
ENTRYPOINT ["/usr/bin/mab"]
