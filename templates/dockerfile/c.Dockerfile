{% include "header" %}
{% include "mab-stage" %}
# Stage "build": runs on the build machine and cross-compiles with clang through mab.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
# mab and its xx-* names (the mab image keeps them in /usr/bin).
COPY --from=mab /usr/bin/ /usr/local/bin/
{% include "apt-host" -%}
WORKDIR /src
# The steps below depend on the target platform.
ARG TARGETPLATFORM
{% include "apt-target" -%}
COPY . .
{% if build_system == "cmake" -%}
# mab cmake-toolchain writes a CMake toolchain file for TARGETPLATFORM (compilers, archiver, sysroot,
# pkg-config). The project's own libraries are built static (BUILD_SHARED_LIBS=OFF), so the program
# needs none of them at run time. Tests are not built ({% for o in test_options %}{{ o }}, {% endfor %}BUILD_TESTING): they are not
# shipped and may download test frameworks. For Windows CMake names the program {{ bin }}.exe; it is
# renamed, so every stage finds it; a project that sets its own output directory leaves it in the build
# tree, where it is looked for. mab verify checks that the result is an executable for the target{% if static %} and statically linked{% endif %}.
{% if ccache -%}
{% include "ccache" -%}
RUN --mount=type=cache,target=/root/.cache/ccache \
    mab cmake-toolchain > /tmp/toolchain.cmake \
{% else -%}
RUN mab cmake-toolchain > /tmp/toolchain.cmake \
{% endif -%}
{{ "" }} && cmake -S . -B /tmp/build -G Ninja \
      -DCMAKE_TOOLCHAIN_FILE=/tmp/toolchain.cmake \{% if ccache %}
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \{% endif %}
      -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_TESTING=OFF{% for o in test_options %} -D{{ o }}=OFF{% endfor %} -DBUILD_SHARED_LIBS=OFF \
      -DCMAKE_RUNTIME_OUTPUT_DIRECTORY=/out{% if static %} \
      -DCMAKE_EXE_LINKER_FLAGS=-static{% endif %} \
 && cmake --build /tmp/build --target {{ target | sh }} \
 && if [ -f /out/{{ bin }}.exe ]; then mv /out/{{ bin }}.exe /out/{{ bin }}; fi \
 && if [ ! -f /out/{{ bin }} ]; then mkdir -p /out && cp "$(find /tmp/build -type f -name {{ bin | sh }} -perm -u+x -print -quit)" /out/{{ bin }}; fi \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}
{% elif build_system == "meson" -%}
# mab meson-cross writes a Meson cross file for TARGETPLATFORM (mab's clang and linker, pkg-config for
# the target's packages, qemu as exe_wrapper when it is installed){% if static %}, with -static added to the link
# arguments{% endif %}. The project's own libraries are built static (default_library), so the program needs
# none of them at run time; options that build tests are off ({% for o in test_options %}{{ o }}{% if not loop.last %}, {% endif %}{% endfor %}{% if not test_options %}none found{% endif %}).
# --wrap-mode=nodownload: a dependency missing from the packages above is an error that names it, not a
# silent download of its source (subprojects/ already in the tree are still used). The executable may
# be declared in a subdirectory's meson.build, so it is looked for in the whole build tree; mab verify
# checks that the result is an executable for the target{% if static %} and statically linked{% endif %}.
{% if ccache -%}
{% include "ccache" -%}
RUN --mount=type=cache,target=/root/.cache/ccache \
    mab meson-cross > /tmp/cross.ini \
 && sed -i "s/^\(c\|cpp\) = \[/&'ccache', /" /tmp/cross.ini{% else -%}
RUN mab meson-cross > /tmp/cross.ini{% endif %}{% if static %} \
 && sed -i "s/^\(c\|cpp\)_link_args = \[/&'-static', /" /tmp/cross.ini{% endif %} \
 && meson setup /tmp/build --cross-file /tmp/cross.ini --buildtype release --wrap-mode=nodownload \
      -Ddefault_library=static{% for o in test_options %} -D{{ o }}{% endfor %} \
 && meson compile -C /tmp/build \
 && mkdir -p /out \
 && cp "$(find /tmp/build -type f -name {{ bin | sh }} -perm -u+x -print -quit)" /out/{{ bin }} \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}
{% elif build_system == "autotools" -%}
# configure --host cross-compiles with mab's compilers and mab's pkg-config, which reads the target's
# .pc files (configure would otherwise fall back to the build machine's) (a tree without configure gets it from
# autoreconf), and --disable-shared links the project's own libraries into the program; mab verify checks that the result is an executable for the target{% if static %} and
# statically linked{% endif %}. The program is installed in bin/ or sbin/ (or, where `make install` fails on
# something else, such as documentation tools, taken from the build tree).
RUN if [ ! -x configure ]; then autoreconf -fi; fi \
 && ./configure --host="$(mab info triple)" --disable-shared CC="mab clang" CXX="mab clang++" PKG_CONFIG="mab pkg-config"{% if static %} LDFLAGS=-static{% endif %} \
 && make -j"$(nproc)" \
 && { make install DESTDIR=/tmp/install || echo "make install failed: the program is taken from the build tree"; } \
 && mkdir -p /out \
 && cp "$(find /tmp/install/usr/local/bin /tmp/install/usr/local/sbin . -name {{ bin | sh }} -type f -perm -u+x -print -quit 2>/dev/null)" /out/{{ bin }} \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}
{% else -%}
# make with mab's compilers and pkg-config (for $(PKG_CONFIG)); mab verify checks that the result is an executable for the target{% if static %} and
# statically linked{% endif %}.
RUN make -j"$(nproc)" CC="mab clang" CXX="mab clang++" PKG_CONFIG="mab pkg-config"{% if static %} LDFLAGS=-static{% endif %} {{ bin | sh }} \
 && mkdir -p /out \
 && cp {{ bin | sh }} /out/{{ bin }} \
 && mab verify{% if static %} --static{% endif %} /out/{{ bin }}{% if not static %} \
 && mab bundle /out/{{ bin }} --to /out/rootfs{% endif %}
{% endif %}
{% include "runtime" -%}
