--[[
A small JSON encoder/decoder in plain Lua 5.1, because Lightroom ships none we may rely on.

null handling (decided once, here):
  * decode: a null member of an object is left out, so reading it gives nil, which is what
    Lua code means by "absent" (the daemon sends null for figures it does not have yet).
    A null inside an array stays as Json.null, so positions and the length survive.
    A document that is just `null` decodes to Json.null, so nil always means "error".
  * encode: Json.null becomes null; nil values are simply absent from Lua tables.

Tables: a table whose keys are exactly 1..n is an array, one with string keys an object.
An empty table is an object ({}), unless made with Json.array().
Strings are taken to be UTF-8 and are written as they are, escaping only what JSON requires.

decode(text) returns the value, or nil plus a sentence naming the position of the fault.
encode(value) returns the text, or nil plus a sentence (cycles, NaN, functions, mixed keys).
]]

local Json = {}

local nullMeta = {
  __tostring = function() return "null" end,
  __newindex = function() error("Json.null cannot be changed", 2) end,
}
Json.null = setmetatable({}, nullMeta)

local arrayMeta = { __jsontype = "array" }

function Json.isNull(value)
  return value == Json.null
end

function Json.array(t)
  return setmetatable(t or {}, arrayMeta)
end

------------------------------------------------------------------------------------------------
-- encode

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escapeChar(c)
  return escapes[c] or string.format("\\u%04x", string.byte(c))
end

local function encodeString(s)
  return '"' .. string.gsub(s, '[%c"\\]', escapeChar) .. '"'
end

local function encodeNumber(n)
  if n ~= n or n == math.huge or n == -math.huge then
    return nil, "JSON cannot represent the number " .. tostring(n) .. "."
  end
  -- Whole numbers print without an exponent up to 2^53, where doubles stop being exact. Not with
  -- %d: Lua 5.1 casts it to a C long, 32 bits on Windows, so 3338801804 would come out wrong there.
  if n == math.floor(n) and math.abs(n) < 2 ^ 53 then
    if n == 0 then return "0" end
    return string.format("%.0f", n)
  end
  -- The shortest form that reads back as the same double: 0.3, not 0.29999999999999999.
  for precision = 14, 16 do
    local s = string.format("%." .. precision .. "g", n)
    if tonumber(s) == n then return s end
  end
  return string.format("%.17g", n)
end

-- Returns "array", n or "object" for a table, or nil plus a reason when it is neither.
local function tableKind(t)
  local mt = getmetatable(t)
  local count, maxIndex, hasString = 0, 0, false
  for k in pairs(t) do
    count = count + 1
    if type(k) == "number" and k > 0 and k == math.floor(k) then
      if k > maxIndex then maxIndex = k end
    elseif type(k) == "string" then
      hasString = true
    else
      return nil, "a table key of type " .. type(k) .. " cannot be written as JSON."
    end
  end
  if count == 0 then
    if mt and mt.__jsontype == "array" then return "array", 0 end
    return "object"
  end
  if hasString then
    if maxIndex > 0 then return nil, "a table mixes array items and named keys." end
    return "object"
  end
  if maxIndex ~= count then return nil, "an array has holes (use Json.null for missing items)." end
  return "array", count
end

local encodeValue

local function encodeTable(t, seen, out)
  if seen[t] then return nil, "a table contains itself." end
  seen[t] = true
  local kind, nOrErr = tableKind(t)
  if not kind then return nil, nOrErr end
  if kind == "array" then
    out[#out + 1] = "["
    for i = 1, nOrErr do
      if i > 1 then out[#out + 1] = "," end
      local ok, err = encodeValue(t[i], seen, out)
      if not ok then return nil, err end
    end
    out[#out + 1] = "]"
  else
    -- Sorted keys make the output stable, which keeps logs and tests readable.
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = encodeString(k)
      out[#out + 1] = ":"
      local ok, err = encodeValue(t[k], seen, out)
      if not ok then return nil, err end
    end
    out[#out + 1] = "}"
  end
  seen[t] = nil
  return true
end

encodeValue = function(v, seen, out)
  local tv = type(v)
  if v == nil or v == Json.null then
    out[#out + 1] = "null"
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif tv == "number" then
    local s, err = encodeNumber(v)
    if not s then return nil, err end
    out[#out + 1] = s
  elseif tv == "string" then
    out[#out + 1] = encodeString(v)
  elseif tv == "table" then
    return encodeTable(v, seen, out)
  else
    return nil, "a " .. tv .. " cannot be written as JSON."
  end
  return true
end

function Json.encode(value)
  local out = {}
  local ok, err = encodeValue(value, {}, out)
  if not ok then return nil, "Cannot encode JSON: " .. err end
  return table.concat(out)
end

------------------------------------------------------------------------------------------------
-- decode

local MAX_DEPTH = 500

-- Position → "position 17 (line 2, column 3)", because "position" alone is hard to find by eye.
local function where(text, pos)
  local line, lastBreak = 1, 0
  local i = string.find(text, "\n", 1, true)
  while i and i < pos do
    line = line + 1
    lastBreak = i
    i = string.find(text, "\n", i + 1, true)
  end
  return string.format("position %d (line %d, column %d)", pos, line, pos - lastBreak)
end

local function fail(state, pos, what)
  local found
  if pos > #state.text then
    found = "the end of the text"
  else
    found = string.format("%q", string.sub(state.text, pos, pos))
  end
  error({ json = true, message = string.format("Invalid JSON at %s: %s, found %s.", where(state.text, pos), what, found) })
end

local function skipSpace(text, pos)
  local _, e = string.find(text, "^[ \n\r\t]*", pos)
  return e + 1
end

local function utf8(cp)
  if cp < 0x80 then
    return string.char(cp)
  elseif cp < 0x800 then
    return string.char(0xC0 + math.floor(cp / 0x40), 0x80 + cp % 0x40)
  elseif cp < 0x10000 then
    return string.char(0xE0 + math.floor(cp / 0x1000), 0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
  end
  return string.char(0xF0 + math.floor(cp / 0x40000), 0x80 + math.floor(cp / 0x1000) % 0x40,
    0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

local simpleEscapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local function readHex4(state, pos)
  local hex = string.match(state.text, "^%x%x%x%x", pos)
  if not hex then fail(state, pos, "expected four hex digits after \\u") end
  return tonumber(hex, 16)
end

local decodeValue

local function decodeString(state, pos)
  local text = state.text
  local parts = {}
  local i = pos + 1
  while true do
    local s, e = string.find(text, '^[^"\\%c]+', i)
    if s then
      parts[#parts + 1] = string.sub(text, s, e)
      i = e + 1
    end
    local c = string.sub(text, i, i)
    if c == '"' then
      return table.concat(parts), i + 1
    elseif c == "\\" then
      local esc = string.sub(text, i + 1, i + 1)
      if simpleEscapes[esc] then
        parts[#parts + 1] = simpleEscapes[esc]
        i = i + 2
      elseif esc == "u" then
        local cp = readHex4(state, i + 2)
        i = i + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          -- A high surrogate must be followed by a low one; together they name one code point.
          local low = string.match(text, "^\\u(%x%x%x%x)", i)
          local lowCp = low and tonumber(low, 16)
          if lowCp and lowCp >= 0xDC00 and lowCp <= 0xDFFF then
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (lowCp - 0xDC00)
            i = i + 6
          else
            fail(state, i, "expected a low surrogate (\\uDC00-\\uDFFF) after a high surrogate")
          end
        elseif cp >= 0xDC00 and cp <= 0xDFFF then
          fail(state, i - 6, "found a low surrogate without a high surrogate before it")
        end
        parts[#parts + 1] = utf8(cp)
      else
        fail(state, i + 1, "expected an escape such as \\n, \\\" or \\u00e9")
      end
    elseif c == "" then
      fail(state, i, "expected the closing quote of a string")
    elseif c == "\127" then
      -- %c matches DEL, which JSON allows raw.
      parts[#parts + 1] = c
      i = i + 1
    else
      fail(state, i, "expected no raw control characters inside a string")
    end
  end
end

local function decodeNumber(state, pos)
  local text = state.text
  local s, e = string.find(text, "^-?%d+", pos)
  if not s then fail(state, pos + 1, "expected a digit after the minus sign") end
  local intPart = string.match(text, "^-?(%d+)", pos)
  if #intPart > 1 and string.sub(intPart, 1, 1) == "0" then
    fail(state, pos, "expected no leading zeros in a number")
  end
  local i = e + 1
  if string.sub(text, i, i) == "." then
    local _, fe = string.find(text, "^%d+", i + 1)
    if not fe then fail(state, i + 1, "expected a digit after the decimal point") end
    i = fe + 1
  end
  local ex = string.sub(text, i, i)
  if ex == "e" or ex == "E" then
    local _, ee = string.find(text, "^[+-]?%d+", i + 1)
    if not ee then fail(state, i + 1, "expected a digit in the exponent") end
    i = ee + 1
  end
  return tonumber(string.sub(text, pos, i - 1)), i
end

local function decodeArray(state, pos, depth)
  local text = state.text
  local result = Json.array()
  local n = 0
  pos = skipSpace(text, pos + 1)
  if string.sub(text, pos, pos) == "]" then return result, pos + 1 end
  while true do
    local value
    value, pos = decodeValue(state, pos, depth)
    n = n + 1
    result[n] = value
    pos = skipSpace(text, pos)
    local c = string.sub(text, pos, pos)
    if c == "]" then return result, pos + 1 end
    if c ~= "," then fail(state, pos, "expected ',' or ']' in an array") end
    pos = skipSpace(text, pos + 1)
  end
end

local function decodeObject(state, pos, depth)
  local text = state.text
  local result = {}
  pos = skipSpace(text, pos + 1)
  if string.sub(text, pos, pos) == "}" then return result, pos + 1 end
  while true do
    if string.sub(text, pos, pos) ~= '"' then fail(state, pos, "expected a member name in double quotes") end
    local key
    key, pos = decodeString(state, pos)
    pos = skipSpace(text, pos)
    if string.sub(text, pos, pos) ~= ":" then fail(state, pos, "expected ':' after a member name") end
    local value
    value, pos = decodeValue(state, skipSpace(text, pos + 1), depth)
    if value ~= Json.null then result[key] = value end
    pos = skipSpace(text, pos)
    local c = string.sub(text, pos, pos)
    if c == "}" then return result, pos + 1 end
    if c ~= "," then fail(state, pos, "expected ',' or '}' in an object") end
    pos = skipSpace(text, pos + 1)
  end
end

local literals = { t = { "true", true }, f = { "false", false }, n = { "null", Json.null } }

decodeValue = function(state, pos, depth)
  local text = state.text
  pos = skipSpace(text, pos)
  local c = string.sub(text, pos, pos)
  if c == "{" or c == "[" then
    if depth >= MAX_DEPTH then fail(state, pos, "expected at most " .. MAX_DEPTH .. " levels of nesting") end
    if c == "{" then return decodeObject(state, pos, depth + 1) end
    return decodeArray(state, pos, depth + 1)
  elseif c == '"' then
    return decodeString(state, pos)
  elseif c == "-" or string.find(c, "^%d") then
    return decodeNumber(state, pos)
  end
  local lit = literals[c]
  if lit and string.sub(text, pos, pos + #lit[1] - 1) == lit[1] then
    return lit[2], pos + #lit[1]
  end
  fail(state, pos, "expected a value (object, array, string, number, true, false or null)")
end

function Json.decode(text)
  if type(text) ~= "string" then
    return nil, "Invalid JSON: expected text, got " .. type(text) .. "."
  end
  local state = { text = text }
  -- Plain pcall is safe here: decoding never yields.
  local ok, value = pcall(function()
    local v, p = decodeValue(state, 1, 0)
    p = skipSpace(text, p)
    if p <= #text then fail(state, p, "expected nothing after the value") end
    return v
  end)
  if ok then return value end
  if type(value) == "table" and value.json then return nil, value.message end
  error(value, 0)
end

return Json
