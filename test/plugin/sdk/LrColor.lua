-- Colours as plain tables: LrColor(r, g, b[, a]) or LrColor("name").
local LrColor = {}
setmetatable(LrColor, {
  __call = function(_, r, g, b, a)
    if type(r) == "string" then return { name = r } end
    return { r = r, g = g, b = b, a = a or 1 }
  end,
})
return LrColor
