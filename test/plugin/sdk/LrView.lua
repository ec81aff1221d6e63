--[[
LrView as a tree of plain tables. f:row{...} returns {_type = "row", <its arguments>}, children
in the array part. Not in Lightroom: LrView._find/_findAll look nodes up, LrView._get reads a
property through its binding, LrView._set writes a bound value (as a photographer typing or
picking would), LrView._press calls a button's action.
]]
local LrView = {}

local spacing = {
  control_spacing = 8, label_spacing = 4, dialog_spacing = 12,
}

-- The controls of LrView's factory, and the properties they take (SDK guide, "Creating a User
-- Interface for Your Plug-in"). Like Lightroom, the shim refuses anything else, so that a typo
-- or an invented control fails in a spec rather than showing nothing in Lightroom.
local CONTROLS = {
  row = true, column = true, view = true, group_box = true, tab_view = true, tab_view_item = true,
  scrolled_view = true, static_text = true, edit_field = true, password_field = true, checkbox = true,
  radio_button = true, push_button = true, popup_menu = true, combo_box = true, slider = true,
  color_well = true, picture = true, separator = true, spacer = true, simple_list = true,
  catalog_photo = true,
}

local PROPERTIES = {
  -- every view
  title = true, value = true, enabled = true, visible = true, tooltip = true, identifier = true,
  bind_to_object = true, width = true, height = true, width_in_chars = true, height_in_lines = true,
  min_width = true, min_height = true, fill = true, fill_horizontal = true, fill_vertical = true,
  alignment = true, place = true, place_horizontal = true, place_vertical = true, spacing = true,
  margin = true, margin_left = true, margin_right = true, margin_top = true, margin_bottom = true,
  margin_horizontal = true, margin_vertical = true, font = true, text_color = true,
  background_color = true, size = true, truncation = true, frame_width = true, frame_color = true,
  -- controls with values
  action = true, items = true, checked_value = true, unchecked_value = true, min = true, max = true,
  integral = true, precision = true, increment = true, large_increment = true, immediate = true,
  validate = true, allows_multiple_selection = true, value_equal = true, wraps = true,
  selectable = true, photo = true, resource_id = true, horizontal_scroller = true,
  vertical_scroller = true, show_title = true,
}

local factoryMeta = {
  __index = function(_, name)
    if spacing[name] then
      return function() return spacing[name] end
    end
    if not CONTROLS[name] then error("LrView: the factory has no control " .. tostring(name), 2) end
    return function(_, args)
      local node = {}
      for k, v in pairs(args or {}) do
        if type(k) == "string" and not PROPERTIES[k] then
          error("LrView: " .. name .. " has no property " .. k, 2)
        end
        node[k] = v
      end
      node._type = name
      return node
    end
  end,
}

function LrView.osFactory()
  return setmetatable({}, factoryMeta)
end

function LrView.bind(arg)
  if type(arg) == "string" then return { _bind = true, key = arg } end
  local b = { _bind = true }
  for k, v in pairs(arg) do b[k] = v end
  if b.key == nil and b.keys == nil then b.key = arg[1] end
  return b
end

function LrView.share(name)
  return "shared:" .. name
end

local function children(node)
  local out = {}
  for i = 1, #node do
    if type(node[i]) == "table" then out[#out + 1] = node[i] end
  end
  return out
end

-- Visits every node with the object its bindings read from (bind_to_object is inherited).
local function walk(node, object, visit)
  if type(node) ~= "table" then return end
  object = node.bind_to_object or object
  visit(node, object)
  for _, child in ipairs(children(node)) do walk(child, object, visit) end
end

local function matcher(query)
  if type(query) == "function" then return query end
  return function(node)
    for k, v in pairs(query) do
      local actual = node[k]
      if type(actual) == "table" and actual._bind then actual = LrView._get(node, k) end
      if actual ~= v then return false end
    end
    return true
  end
end

-- Finds every node matching `query` (a table of field = value, or a predicate function).
function LrView._findAll(root, query, object)
  local match = matcher(query)
  local out = {}
  walk(root, object, function(node, obj)
    node._object = node._object or obj
    if match(node) then out[#out + 1] = node end
  end)
  return out
end

function LrView._find(root, query, object)
  local all = LrView._findAll(root, query, object)
  return all[1]
end

-- Indexes every node's bound object; call once on a tree before _get/_set on its nodes.
function LrView._attach(root, object)
  LrView._findAll(root, function() return false end, object)
  return root
end

function LrView._get(node, prop)
  local v = node[prop]
  if type(v) ~= "table" or not v._bind then return v end
  local obj = v.bind_to_object or v.object or node._object
  assert(obj, "LrView shim: no object to read binding " .. tostring(v.key) .. " from")
  local value = obj[v.key]
  if v.transform then value = v.transform(value, true) end
  return value
end

function LrView._set(node, value, prop)
  prop = prop or "value"
  local v = node[prop]
  assert(type(v) == "table" and v._bind, "LrView shim: " .. prop .. " of " .. tostring(node._type) .. " is not bound")
  local obj = v.bind_to_object or v.object or node._object
  assert(obj, "LrView shim: no object to write binding " .. tostring(v.key) .. " to")
  if v.transform then value = v.transform(value, false) end
  obj[v.key] = value
end

function LrView._press(node)
  assert(node, "LrView shim: no such button")
  local enabled = LrView._get(node, "enabled")
  assert(enabled ~= false, "LrView shim: the button is disabled: " .. tostring(LrView._get(node, "title")))
  assert(type(node.action) == "function", "LrView shim: the node has no action")
  node.action(node)
end

-- What a popup_menu shows: the title of the item whose value is its value, or "" (blank), as
-- Lightroom shows a value that is in none of its items.
function LrView._popupTitle(node)
  local value = LrView._get(node, "value")
  for _, item in ipairs(LrView._get(node, "items") or {}) do
    if item.value == value then return item.title end
  end
  return ""
end

--[[
A rough width in pixels, for specs to check that a section fits Lightroom's dialogs: about 7 px
a character (width_in_chars when set, else the title's length), checkboxes and popups with their
box and arrow, rows side by side with spacing, columns as wide as their widest child.
]]
local CHAR_PX, GAP_PX = 7, 8

function LrView._width(node, object)
  if type(node) ~= "table" then return 0 end
  object = node.bind_to_object or object
  local t = node._type
  local function text()
    local title = node.title
    if type(title) == "table" and title._bind then
      local obj = title.bind_to_object or title.object or object
      title = obj and obj[title.key]
    end
    return string.len(tostring(title or ""))
  end
  if type(node.width) == "number" then return node.width end
  if node.width_in_chars then return node.width_in_chars * CHAR_PX end
  if t == "static_text" or t == "push_button" then return text() * CHAR_PX + (t == "push_button" and 24 or 0) end
  if t == "checkbox" or t == "radio_button" then return 20 + text() * CHAR_PX end
  if t == "popup_menu" then
    local widest = 0
    for _, item in ipairs(node.items or {}) do widest = math.max(widest, string.len(tostring(item.title))) end
    return widest * CHAR_PX + 30
  end
  local kids = children(node)
  if t == "row" then
    local w = 0
    for i, child in ipairs(kids) do w = w + LrView._width(child, object) + (i > 1 and GAP_PX or 0) end
    return w
  end
  local w = 0
  for _, child in ipairs(kids) do w = math.max(w, LrView._width(child, object)) end
  return w
end

-- Every static text in a tree, resolved through bindings, joined by newlines.
function LrView._text(root, object)
  local out = {}
  for _, node in ipairs(LrView._findAll(root, { _type = "static_text" }, object)) do
    local t = LrView._get(node, "title")
    if t ~= nil then out[#out + 1] = tostring(t) end
  end
  return table.concat(out, "\n")
end

return LrView
