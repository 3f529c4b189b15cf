# ccache keeps the compiled objects in a cache mount ({{ sources }} C/C++ sources here), so after an edit only
# the files that changed are compiled again. clang gets the target in its arguments, which ccache hashes,
# so one cache serves every platform.
