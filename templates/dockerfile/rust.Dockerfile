{% include "header" %}
{% include "mab-stage" %}
# Stage "build": runs on the build machine and cross-compiles with cargo.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
# mab and its xx-* names (the mab image keeps them in /usr/bin).
COPY --from=mab /usr/bin/ /usr/local/bin/
{% include "apt-host" -%}
WORKDIR /src
# Crates first, in their own layer: the manifests and empty stand-ins for the sources are all
# cargo fetch needs, so the layer is rebuilt only when a manifest{% if has_lock %} or Cargo.lock{% endif %} changes, and every
# target platform shares it because it comes before ARG TARGETPLATFORM.
COPY Cargo.toml{% if has_lock %} Cargo.lock{% endif %}{% if toolchain_file %} {{ toolchain_file }}{% endif %} ./
{% for m in members -%}
COPY {{ m.0 }} {{ m.1 }}
{% endfor -%}
{% if cargo_config -%}
COPY .cargo/ .cargo/
{% endif -%}
{% if vendor -%}
COPY vendor/ vendor/
{% endif -%}
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    {% if stub_dirs %}mkdir -p{% for d in stub_dirs %} {{ d | sh }}{% endfor %} \
 && {% endif %}touch{% for s in stubs %} {{ s | sh }}{% endfor %} \
 && cargo fetch{% if has_lock %} --locked{% endif %}
# The steps below depend on the target platform.
ARG TARGETPLATFORM
{% include "apt-target" -%}
COPY . .
{% if musl -%}
# musl: Rust links the target's *-linux-musl standard library statically, with no C toolchain.
ENV XX_LIBC=musl
{% elif crt_static -%}
# glibc, linked statically (crt-static): the binary carries the target's C library.
ENV XX_LIBC=gnu XX_RUSTFLAGS="-C target-feature=+crt-static"
{% else -%}
# glibc, linked dynamically{% if needs_c %}; the C code of the dependencies is compiled for the target{% endif %}.
ENV XX_LIBC=gnu
{% endif -%}
# mab cargo passes --target for TARGETPLATFORM and sets the linker{% if needs_c %} and the C compiler{% endif %}.
# The target directory is a cache mount of each platform's own (its id names TARGETPLATFORM), so the
# platforms build side by side and an edit recompiles only the crates that changed; the binary
# ({{ bin }}.exe for Windows) is copied out of it. mab verify checks that it is an executable for the
# target{% if static %} and statically linked{% endif %}.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target,id={{ bin }}-target-$TARGETPLATFORM \
    mab cargo build --release{% if has_lock %} --locked{% endif %} --bin {{ bin | sh }} \
 && mkdir -p /out \
 && exe="target/$(mab cargo --print-target-triple)/release/{{ bin }}" \
 && if [ -f "$exe.exe" ]; then exe="$exe.exe"; fi \
 && cp "$exe" /out/{{ bin }} \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}

{% include "runtime" -%}
