# CMake toolchain file for {{ platform }} ({{ triple }}), written by `mab cmake-toolchain`.
# Use it with: cmake -DCMAKE_TOOLCHAIN_FILE=<this file> ...
set(CMAKE_SYSTEM_NAME {{ cmake_system }})
set(CMAKE_SYSTEM_PROCESSOR {{ processor }})
{% if sysroot %}set(CMAKE_SYSROOT "{{ sysroot }}")
{% endif %}
set(CMAKE_C_COMPILER "{{ cc }}")
set(CMAKE_CXX_COMPILER "{{ cxx }}")
set(CMAKE_ASM_COMPILER "{{ cc }}")
{% if clang %}set(CMAKE_C_COMPILER_TARGET {{ triple }})
set(CMAKE_CXX_COMPILER_TARGET {{ triple }})
set(CMAKE_ASM_COMPILER_TARGET {{ triple }})
{% endif %}
{% if cxx_flags %}set(CMAKE_CXX_FLAGS_INIT "{{ cxx_flags | join(sep=" ") }}")
{% endif %}{% if windres %}set(CMAKE_RC_COMPILER "{{ windres }}")
{% endif %}set(CMAKE_AR "{{ ar }}" CACHE FILEPATH "archiver for {{ triple }}")
set(CMAKE_RANLIB "{{ ranlib }}" CACHE FILEPATH "ranlib for {{ triple }}")
# Per language too: IPO/LTO checks look for these, and CMake finds none for a cross clang by itself.
{% for lang in ["C", "CXX", "ASM"] %}set(CMAKE_{{ lang }}_COMPILER_AR "{{ ar }}" CACHE FILEPATH "archiver for {{ triple }}")
set(CMAKE_{{ lang }}_COMPILER_RANLIB "{{ ranlib }}" CACHE FILEPATH "ranlib for {{ triple }}")
{% endfor %}set(CMAKE_STRIP "{{ strip }}" CACHE FILEPATH "strip for {{ triple }}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "{{ link_flags | join(sep=" ") }}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "{{ link_flags | join(sep=" ") }}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "{{ link_flags | join(sep=" ") }}")

{% if emulator %}# Test programs and try_run() run under qemu-user, which is installed here.
set(CMAKE_CROSSCOMPILING_EMULATOR {{ emulator | join(sep=" ") }})
{% endif %}
# Programs run on the build machine; headers, libraries and packages come from the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
{% if pkg_config_libdir %}
# FindPkgConfig runs pkg-config at configure time with this environment: the target's .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "{{ pkg_config_libdir }}")
{% endif %}{% if pkg_config_sysroot %}set(ENV{PKG_CONFIG_SYSROOT_DIR} "{{ pkg_config_sysroot }}")
{% endif %}
