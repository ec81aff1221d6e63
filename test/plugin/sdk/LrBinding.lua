--[[
Observable property tables. Setting a key to a new value calls its observers at once with
(properties, key, newValue), which is when Lightroom would deliver the change.
]]
local LrBinding = {}

local methods = {}

function methods:addObserver(key, fn)
  local observers = rawget(self, "_observers")
  observers[key] = observers[key] or {}
  table.insert(observers[key], fn)
end

function methods:removeObserver(key, fn)
  local list = rawget(self, "_observers")[key] or {}
  for i = #list, 1, -1 do
    if list[i] == fn then table.remove(list, i) end
  end
end

function methods:pairs()
  return pairs(rawget(self, "_values"))
end

local meta = {
  __index = function(t, k)
    if methods[k] then return methods[k] end
    return rawget(t, "_values")[k]
  end,
  __newindex = function(t, k, v)
    local values = rawget(t, "_values")
    if values[k] == v then return end
    values[k] = v
    for _, fn in ipairs(rawget(t, "_observers")[k] or {}) do
      fn(t, k, v)
    end
  end,
}

function LrBinding.makePropertyTable(context)
  local _ = context
  return setmetatable({ _values = {}, _observers = {} }, meta)
end

function LrBinding.isPropertyTable(t)
  return type(t) == "table" and getmetatable(t) == meta
end

function LrBinding.keyIsNotNil(key) return { key = key, transform = function(v) return v ~= nil end } end
function LrBinding.keyIsNil(key) return { key = key, transform = function(v) return v == nil end } end
function LrBinding.negativeOfKey(key) return { key = key, transform = function(v) return not v end } end
function LrBinding.keyEquals(key, value) return { key = key, transform = function(v) return v == value end } end

return LrBinding
