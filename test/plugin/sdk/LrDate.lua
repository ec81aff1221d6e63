-- Time in seconds (Lightroom counts from 2001; only differences matter to the plug-in).
local socket = require "socket"

local LrDate = {}

function LrDate.currentTime()
  return socket.gettime()
end

return LrDate
