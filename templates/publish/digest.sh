case $digest in
  sha256:*) echo "$digest" ;;
  *) echo "publish.sh: found no manifest list digest in the output above" >&2; exit 1 ;;
esac
