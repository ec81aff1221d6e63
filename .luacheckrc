-- Lightroom Classic runs plug-ins on Lua 5.1 and gives them these globals.
std = "lua51"
read_globals = { "import", "LOC", "_PLUGIN", "WIN_ENV", "MAC_ENV" }
-- LOC strings must stay one literal each (Lightroom extracts them), so lines may be long.
max_line_length = 300
codes = true

files["test/plugin"] = {
  std = "+busted",
}
files["test/plugin/sdk/init.lua"] = {
  -- The shim is what installs Lightroom's globals.
  globals = { "import", "LOC", "_PLUGIN", "WIN_ENV", "MAC_ENV" },
}
