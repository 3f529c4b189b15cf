# Stage "export": the program alone, for `--target export --output type=local,dest=DIR`.
FROM scratch AS export
COPY --from=build /out/{{ bin }} /{{ bin }}
# Stage "runtime": the image to ship. Like "export", it runs nothing while building, so no emulation is
# needed.
{% if static -%}
# The program is statically linked, so the base needs no C library ({{ base }} by default).
{% else -%}
# The program is linked dynamically: /out/rootfs holds its loader and the shared libraries it needs,
# taken from the target's packages in the build stage (mab bundle), so any base works, even scratch
# ({{ base }} by default).
{% endif -%}
FROM ${BASE_IMAGE} AS runtime
{% if not static -%}
COPY --from=build /out/rootfs/ /
{% endif -%}
COPY --from=build /out/{{ bin }} /usr/local/bin/{{ bin }}
# An unprivileged user. A numeric id works in images without /etc/passwd too.
USER 65532:65532
{% set entry = "/usr/local/bin/" ~ bin -%}
ENTRYPOINT [{{ entry | json_encode }}]
