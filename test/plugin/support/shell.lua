-- Quoting for the shell commands the specs run (os.execute, io.popen).
local Shell = {}

-- s in single quotes: one word for sh, whatever it holds.
function Shell.quote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

return Shell
