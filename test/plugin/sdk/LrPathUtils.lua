--[[
Path helpers for the platform the shim plays (sdk.setPlatform): POSIX paths on "mac", Windows
paths with backslashes on "win". getStandardFilePath answers as Lightroom does on each; note that
"appData" is Lightroom's own folder (…\AppData\Roaming\Adobe\Lightroom on Windows, ~/Library/
Application Support/Adobe/Lightroom on macOS), not the system's application-data folder. On "mac"
"temp" is the real temporary folder, since specs render files there.
]]
local LrPathUtils = {}

local WIN_HOME = "C:\\Users\\Photographer"
local MAC_HOME = "/Users/photographer"

local function win() return rawget(_G, "WIN_ENV") == true end

function LrPathUtils.child(path, name)
  if win() then return (string.gsub(path, "[\\/]$", "")) .. "\\" .. name end
  return (string.gsub(path, "/$", "")) .. "/" .. name
end

function LrPathUtils.parent(path)
  if win() then return string.match(path, "^(.*)[\\/][^\\/]*$") end
  return string.match(path, "^(.*)/[^/]*$")
end

function LrPathUtils.leafName(path)
  if win() then return string.match(path, "([^\\/]*)$") end
  return string.match(path, "([^/]*)$")
end

function LrPathUtils.standardizePath(path) return path end

local STANDARD = {
  win = {
    home = WIN_HOME,
    appData = WIN_HOME .. "\\AppData\\Roaming\\Adobe\\Lightroom",
    temp = WIN_HOME .. "\\AppData\\Local\\Temp",
    desktop = WIN_HOME .. "\\Desktop",
    documents = WIN_HOME .. "\\Documents",
    pictures = WIN_HOME .. "\\Pictures",
  },
  mac = {
    home = MAC_HOME,
    appData = MAC_HOME .. "/Library/Application Support/Adobe/Lightroom",
    desktop = MAC_HOME .. "/Desktop",
    documents = MAC_HOME .. "/Documents",
    pictures = MAC_HOME .. "/Pictures",
  },
}

function LrPathUtils.getStandardFilePath(which)
  local platform = win() and "win" or "mac"
  if platform == "mac" and which == "temp" then return os.getenv("TMPDIR") or "/tmp" end
  local path = STANDARD[platform][which]
  if not path then error("LrPathUtils.getStandardFilePath: unknown folder " .. tostring(which), 2) end
  return path
end

return LrPathUtils
