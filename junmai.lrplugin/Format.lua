--[[
Numbers as a photographer reads them: sizes in decimal units (as Ollama's library shows them),
speeds, durations and percentages. Every function accepts nil and answers with "unknown"
(or nil, for optional parts) rather than failing, since the daemon sends null for what it lacks.
]]
local Format = {}

local function round(n, places)
  local m = 10 ^ (places or 0)
  return math.floor(n * m + 0.5) / m
end

-- One decimal below 100 of a unit, none above: "3.3 GB", "850 MB", "17.4 GB", "120 GB".
local function scaled(n)
  if n < 100 then
    local r = round(n, 1)
    if r == math.floor(r) then return string.format("%d", r) end
    return string.format("%.1f", r)
  end
  return string.format("%d", round(n))
end

-- Joins facts on one line with a middle dot.
function Format.joined(parts)
  return table.concat(parts, LOC "$$$/Junmai/Format/Separator= ^U+00B7 ")
end

function Format.bytes(n)
  n = tonumber(n)
  if not n or n < 0 then return LOC "$$$/Junmai/Format/UnknownSize=unknown size" end
  if n < 1000 then return LOC("$$$/Junmai/Format/Bytes=^1 bytes", string.format("%d", n)) end
  if n < 1e6 then return LOC("$$$/Junmai/Format/KB=^1 KB", scaled(n / 1e3)) end
  if n < 1e9 then return LOC("$$$/Junmai/Format/MB=^1 MB", scaled(n / 1e6)) end
  if n < 1e12 then return LOC("$$$/Junmai/Format/GB=^1 GB", scaled(n / 1e9)) end
  return LOC("$$$/Junmai/Format/TB=^1 TB", scaled(n / 1e12))
end

-- Gigabytes the daemon already computed (memory needs): "6.1 GB".
function Format.gigabytes(gb)
  gb = tonumber(gb)
  if not gb then return LOC "$$$/Junmai/Format/UnknownMemory=unknown" end
  return LOC("$$$/Junmai/Format/GB=^1 GB", scaled(gb))
end

function Format.speed(bytesPerSecond)
  local n = tonumber(bytesPerSecond)
  if not n or n <= 0 then return nil end
  return LOC("$$$/Junmai/Format/Speed=^1/s", Format.bytes(n))
end

function Format.duration(seconds)
  local s = tonumber(seconds)
  if not s or s < 0 then return nil end
  if s < 60 then return LOC("$$$/Junmai/Format/Seconds=^1 s", string.format("%d", round(s))) end
  local minutes = round(s / 60)
  if minutes < 60 then return LOC("$$$/Junmai/Format/Minutes=^1 min", string.format("%d", minutes)) end
  return LOC("$$$/Junmai/Format/Hours=^1 h ^2 min", string.format("%d", math.floor(minutes / 60)),
    string.format("%d", minutes % 60))
end

-- Seconds per photo, one decimal: "2.4 s".
function Format.secondsPerPhoto(seconds)
  local s = tonumber(seconds)
  if not s then return nil end
  return LOC("$$$/Junmai/Format/SecondsPerPhoto=^1 s", string.format("%.1f", round(s, 1)))
end

-- Percent from 0..100: "42%". Floors, so 99.9 is never shown as a finished 100%.
function Format.percent(p)
  p = tonumber(p)
  if not p then return nil end
  if p > 100 then p = 100 elseif p < 0 then p = 0 end
  return LOC("$$$/Junmai/Format/Percent=^1%", string.format("%d", math.floor(p)))
end

-- A 0..1 rate as a percent, rounded: "98%".
function Format.rate(r)
  r = tonumber(r)
  if not r then return nil end
  return LOC("$$$/Junmai/Format/Percent=^1%", string.format("%d", round(r * 100)))
end

function Format.count(n)
  n = tonumber(n) or 0
  local s = string.format("%d", n)
  -- Thousands separators keep large photo counts readable: 12,480.
  local out = string.reverse((string.gsub(string.reverse(s), "(%d%d%d)", "%1,")))
  return (string.gsub(out, "^(-?),", "%1"))
end

return Format
