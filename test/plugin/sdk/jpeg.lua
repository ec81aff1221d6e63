--[[
The smallest valid JPEG: a 1×1 grey baseline image (JFIF, one quantisation table of ones, a DC
and an AC Huffman table with one code each, one block whose DC difference is 0 and then EOB).
jpeg.bytes(comment) adds a COM segment, so specs can make each photo's file different (distinct
content hashes, so the daemon's cache keeps them apart) or carry a marker the emulator reacts to.
]]
local jpeg = {}

local function bytes(...)
  return string.char(...)
end

function jpeg.bytes(comment)
  local parts = {
    bytes(0xFF, 0xD8),
    bytes(0xFF, 0xE0, 0x00, 0x10), "JFIF", bytes(0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00),
  }
  if comment and comment ~= "" then
    local n = #comment + 2
    parts[#parts + 1] = bytes(0xFF, 0xFE, math.floor(n / 256), n % 256) .. comment
  end
  parts[#parts + 1] = bytes(0xFF, 0xDB, 0x00, 0x43, 0x00) .. string.rep(bytes(0x01), 64)
  parts[#parts + 1] = bytes(0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00)
  parts[#parts + 1] = bytes(0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01) .. string.rep(bytes(0x00), 15) .. bytes(0x00)
  parts[#parts + 1] = bytes(0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01) .. string.rep(bytes(0x00), 15) .. bytes(0x00)
  parts[#parts + 1] = bytes(0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00)
  -- DC category 0 ("0"), then EOB ("0"), padded with ones: 0011 1111.
  parts[#parts + 1] = bytes(0x3F, 0xFF, 0xD9)
  return table.concat(parts)
end

function jpeg.write(path, comment)
  local f = assert(io.open(path, "wb"))
  f:write(jpeg.bytes(comment))
  f:close()
  return path
end

return jpeg
