{% include "header" %}
{% include "mab-stage" %}
# Stage "build": runs on the build machine and cross-compiles the Go module {{ module }}.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
# mab and its xx-* names (the mab image keeps them in /usr/bin).
COPY --from=mab /usr/bin/ /usr/local/bin/
{% include "apt-host" -%}
WORKDIR /src
{% if vendored -%}
# The modules are vendored (vendor/modules.txt): the build reads them from the source tree and
# downloads nothing.
{% else -%}
# Modules first, in their own layer: it is rebuilt only when the module files change, and every
# target platform shares it because it comes before ARG TARGETPLATFORM.
COPY {{ mod_files | join(sep=" ") }} ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
{% endif -%}
# The steps below depend on the target platform.
ARG TARGETPLATFORM
{% include "apt-target" -%}
COPY . .
{% if cgo and static -%}
# cgo, linked statically: the binary carries the target's C library.
{% elif cgo -%}
# cgo: the binary links the target's glibc dynamically.
{% else -%}
# Pure Go (CGO_ENABLED=0): a static binary.
{% endif -%}
# mab go sets GOOS/GOARCH/GOARM... for TARGETPLATFORM{% if cgo %} and the C cross compiler{% endif %}; mab verify
# checks that the result is an executable for the target{% if static %} and statically linked{% endif %}. Go's build cache
# keys every entry by GOOS, GOARCH and the compiler's flags, so one cache mount serves all platforms, and
# after an edit only the packages that changed are compiled again.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED={% if cgo %}1{% else %}0{% endif %} mab go build -trimpath{% if vendored %} -mod=vendor{% endif %}{% if cgo and static %} -ldflags '-linkmode external -extldflags -static'{% endif %} -o /out/{{ bin }} {{ package }} \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}

{% include "runtime" -%}
