-- Path helpers for POSIX paths, enough for the plug-in.
local LrPathUtils = {}
function LrPathUtils.child(path, name) return (string.gsub(path, "/$", "")) .. "/" .. name end
function LrPathUtils.parent(path) return string.match(path, "^(.*)/[^/]*$") end
function LrPathUtils.leafName(path) return string.match(path, "([^/]*)$") end
function LrPathUtils.standardizePath(path) return path end
function LrPathUtils.getStandardFilePath(which)
  local _ = which
  return os.getenv("TMPDIR") or "/tmp"
end
return LrPathUtils
