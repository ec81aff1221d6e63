-- Loggers that write nowhere and keep what was logged in LrLogger._lines.
local LrLogger = { _lines = {} }

local Logger = {}
Logger.__index = function(self, level)
  local base = string.gsub(level, "f$", "")
  if level ~= base then
    return function(_, fmt, ...)
      LrLogger._lines[#LrLogger._lines + 1] = { logger = self.name, level = base, text = string.format(fmt, ...) }
    end
  end
  return function(_, ...)
    local parts = {}
    for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
    LrLogger._lines[#LrLogger._lines + 1] = { logger = self.name, level = level, text = table.concat(parts, " ") }
  end
end

setmetatable(LrLogger, {
  __call = function(_, name)
    return setmetatable({ name = name, enable = function() end, disable = function() end }, Logger)
  end,
})

function LrLogger._reset()
  LrLogger._lines = {}
end

return LrLogger
