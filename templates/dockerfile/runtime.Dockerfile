# Stage "runtime": the image to ship, and the only stage made of target-architecture files. It runs
# nothing while building, so no emulation is needed.
{% if static -%}
# The program is statically linked, so the base needs no C library ({{ base }} by default).
{% else -%}
# The program is linked dynamically against glibc, so the base must provide glibc and the libraries it
# uses ({{ base }} by default); an empty image such as scratch would fail at start.
{% endif -%}
FROM ${BASE_IMAGE} AS runtime
COPY --from=build /out/{{ bin }} /usr/local/bin/{{ bin }}
# An unprivileged user. A numeric id works in images without /etc/passwd too.
USER 65532:65532
{% set entry = "/usr/local/bin/" ~ bin -%}
ENTRYPOINT [{{ entry | json_encode }}]
