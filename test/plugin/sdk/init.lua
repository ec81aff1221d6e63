--[[
A stand-in for the Lightroom Classic SDK, so that busted specs can run the plugin's real modules
under plain Lua 5.1. It installs the globals Lightroom gives a plug-in (import, LOC, _PLUGIN,
WIN_ENV, MAC_ENV) and answers `import "LrX"` with the module test/plugin/sdk/LrX.lua.

Network calls are real (LrHttp over luasocket); UI calls are recorded so specs can read what a
photographer would see and press buttons or pick values in it.
]]

local sdk = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)init%.lua$") or "test/plugin/sdk/"
local root = here:gsub("test/plugin/sdk/$", "")
if string.sub(root, 1, 1) ~= "/" then
  local pwd = os.getenv("PWD")
  if not pwd then
    local p = io.popen("pwd")
    pwd = p:read("*l")
    p:close()
  end
  root = pwd .. "/" .. root
end

sdk.root = root
sdk.pluginPath = root .. "junmai.lrplugin"

package.path = table.concat({
  sdk.pluginPath .. "/?.lua",
  root .. "test/plugin/?.lua",
  root .. "test/plugin/?/init.lua",
  package.path,
}, ";")

local imported = {}

function sdk.import(name)
  assert(type(name) == "string", "import expects a module name")
  if not string.match(name, "^Lr%a+$") then
    error("import: unknown SDK namespace " .. name, 2)
  end
  if imported[name] == nil then
    local ok, mod = pcall(require, "sdk." .. name)
    if not ok then error("import: the SDK shim has no " .. name .. " (" .. tostring(mod) .. ")", 2) end
    imported[name] = mod
  end
  return imported[name]
end

-- LOC "$$$/Key=English text" returns the English text with ^1..^9 replaced by the arguments,
-- as Lightroom does when there is no translation. Like Lightroom, it takes only low-ASCII in the
-- key and the text: other characters are written ^U+XXXX (four hex digits) and decoded here.
local function utf8(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then return string.char(0xC0 + math.floor(code / 64), 0x80 + code % 64) end
  return string.char(0xE0 + math.floor(code / 4096), 0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
end

function sdk.LOC(zstring, ...)
  assert(type(zstring) == "string", "LOC expects a string")
  local text = string.match(zstring, "^%$%$%$/[^=]*=(.*)$")
  if not text then error("LOC: not a ZString with English text: " .. zstring, 2) end
  if string.find(zstring, "[\128-\255]") then
    error("LOC: only low-ASCII is allowed in a ZString (write ^U+XXXX): " .. zstring, 2)
  end
  local args = { n = select("#", ...), ... }
  text = string.gsub(text, "%^U%+(%x%x%x%x)", function(hex) return utf8(tonumber(hex, 16)) end)
  text = string.gsub(text, "%^([%d%^rn])", function(c)
    if c == "^" then return "^" end
    if c == "r" or c == "n" then return "\n" end
    local i = tonumber(c)
    if i >= 1 and i <= args.n then return tostring(args[i]) end
    return "^" .. c
  end)
  return text
end

function sdk.install()
  _G.import = sdk.import
  _G.LOC = sdk.LOC
  sdk.setPlatform("mac")
  _G._PLUGIN = {
    id = "com.junmai.autodev",
    path = sdk.pluginPath,
    enabled = true,
    resourceId = function(_, name) return sdk.pluginPath .. "/" .. name end,
  }
end

--[[
Which Lightroom the plug-in runs in: "mac" (the default) or "win". Sets WIN_ENV and MAC_ENV, and
LrPathUtils's separator and standard folders (Windows paths are not on this disk: specs on "win"
do not write files). sdk.reset() goes back to "mac".
]]
function sdk.setPlatform(name)
  assert(name == "mac" or name == "win", "sdk.setPlatform: mac or win")
  sdk.platform = name
  _G.WIN_ENV = name == "win"
  _G.MAC_ENV = name == "mac"
end

-- Forgets what was recorded and stored (prefs, dialogs, requests, progress, tasks) between specs.
function sdk.reset()
  sdk.setPlatform("mac")
  for name in pairs(imported) do
    local mod = imported[name]
    if type(mod) == "table" and type(mod._reset) == "function" then mod._reset() end
  end
end

-- Drives started tasks until none is left, `untilFn()` is true, or `timeout` seconds pass.
function sdk.runTasks(opts)
  return sdk.import("LrTasks")._run(opts or {})
end

-- Loaded once, up front, so that busted's per-file insulation never makes a second copy of a
-- shim module (specs and plug-in modules must see the same recorded state).
sdk.namespaces = {
  "LrApplication", "LrBinding", "LrDate", "LrDialogs", "LrExportSession", "LrFileUtils",
  "LrFunctionContext", "LrHttp", "LrLogger", "LrPathUtils", "LrPrefs", "LrProgressScope",
  "LrTasks", "LrView",
}

sdk.install()
for _, name in ipairs(sdk.namespaces) do sdk.import(name) end

return sdk
