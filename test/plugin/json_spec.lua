-- Json.lua against Debian's lua-dkjson as the oracle for everything valid JSON can say.
local Json = require "Json"
local dkjson = require "dkjson"

-- Decodes with dkjson and applies our documented null rule (object members dropped,
-- array items kept as Json.null), so the two can be compared with same().
local function oracle(text)
  local value, _, err = dkjson.decode(text, 1, Json.null)
  assert(err == nil, "the oracle rejected " .. text .. ": " .. tostring(err))
  local function strip(v)
    if type(v) ~= "table" or v == Json.null then return v end
    local out = {}
    for k, item in pairs(v) do
      if not (type(k) == "string" and item == Json.null) then out[k] = strip(item) end
    end
    return out
  end
  return strip(value)
end

local function plain(v)
  -- Drops metatables (Json.array marks) so deep comparison looks at contents only.
  if type(v) ~= "table" or v == Json.null then return v end
  local out = {}
  for k, item in pairs(v) do out[k] = plain(item) end
  return out
end

local function same(text)
  local mine, err = Json.decode(text)
  assert.is_nil(err)
  assert.are.same(oracle(text), plain(mine))
end

describe("Json", function()
  describe("decode agrees with dkjson", function()
    local documents = {
      scalars = { "true", "false", "0", "-0", "42", "-17", "3.25", '"text"', '""' },
      numbers = { "1e3", "1E3", "1e+3", "2.5e-3", "-1.5E+10", "123456789012", "9007199254740993",
        "0.1", "1e308", "5e-324", "[0, -0.0, 10, 1.0e2]" },
      escapes = { [["a\"b"]], [["back\\slash"]], [["\/"]], [["\b\f\n\r\t"]], [["tab\there"]],
        [["\u0000nul"]], [["\u001f"]] },
      unicode = { [["\u00e9"]], [["\u20AC"]], [["\uD83D\uDE00"]], [["\ud834\udd1e clef"]], '"日本酒 純米"',
        [["mixed é \u00e9 😀 \ud83d\ude00"]], [["\uFFFF"]], [["\u0800"]], [["\u07FF"]] },
      nesting = { "[]", "{}", "[[[]]]", '{"a":{"b":{"c":[1,[2,[3]]]}}}', '[{"a":1},{"b":[true,false]}]',
        '{"models":[{"name":"gemma3:4b","vision":true,"size_bytes":3338801804,"min_vram_gb":6.1}],"count":1}' },
      whitespace = { ' \n\t{ "a" : [ 1 , 2 ] }\r\n ', "[\n1\n]" },
      nulls = { '{"a":null,"b":1}', "[1,null,3]", '{"job":{"error":null,"eta_seconds":null,"percent":12.5}}' },
    }
    for group, list in pairs(documents) do
      for _, text in ipairs(list) do
        it(group .. ": " .. text, function() same(text) end)
      end
    end
  end)

  describe("round trips", function()
    local values = {
      { name = "gemma3:4b", installed = true, size_bytes = 3338801804, percent = 42.5 },
      { 1, 2, 3, "four", { five = 5 } },
      { nested = { deeper = { deepest = { "x", "y" } } }, list = Json.array() },
      { text = "quote \" backslash \\ newline \n tab \t bell \7 del \127 é 😀" },
      { numbers = { 0, -1, 1.5, 1e-7, 6.02e23, 2 ^ 53, -2 ^ 53 } },
      { items = { Json.null, 2, Json.null } },
    }
    for i, v in ipairs(values) do
      it("value " .. i .. " survives encode then decode, and dkjson reads the same", function()
        local text = assert(Json.encode(v))
        assert.are.same(plain(v), plain(assert(Json.decode(text))))
        assert.are.same(oracle(text), plain(Json.decode(text)))
      end)
    end

    it("reads what dkjson writes", function()
      local v = { a = { 1, 2, { b = "ü\n" } }, c = 1.25e-5, d = false }
      assert.are.same(v, plain(Json.decode(dkjson.encode(v))))
    end)

    it("writes numbers exactly enough to get them back", function()
      for _, n in ipairs({ 0.1, 1 / 3, 123.456, 1e300, -2.5e-300, 3338801804, 17396936941 }) do
        assert.are.equal(n, Json.decode(Json.encode(n)))
      end
    end)
  end)

  describe("null", function()
    it("drops null object members so they read as nil", function()
      local v = Json.decode('{"eta_seconds":null,"percent":3}')
      assert.is_nil(v.eta_seconds)
      assert.are.equal(3, v.percent)
    end)

    it("keeps null array items as Json.null so positions survive", function()
      local v = Json.decode("[null,1,null]")
      assert.are.equal(3, #v)
      assert.is_true(Json.isNull(v[1]))
      assert.are.equal(Json.null, v[3])
    end)

    it("decodes a lone null to Json.null, so nil always means an error", function()
      assert.are.equal(Json.null, Json.decode("null"))
    end)

    it("encodes Json.null and nothing else as null", function()
      assert.are.equal("null", Json.encode(Json.null))
      assert.are.equal("[null,1]", Json.encode({ Json.null, 1 }))
    end)
  end)

  describe("encode", function()
    it("writes an empty table as an object and Json.array() as an array", function()
      assert.are.equal("{}", Json.encode({}))
      assert.are.equal("[]", Json.encode(Json.array()))
      assert.are.equal('{"a":[]}', Json.encode({ a = Json.array() }))
    end)

    it("sorts object keys for stable output", function()
      assert.are.equal('{"a":1,"b":2,"c":3}', Json.encode({ c = 3, a = 1, b = 2 }))
    end)

    it("escapes control characters and leaves UTF-8 as it is", function()
      assert.are.equal([["a\u0001b\n\"\\ é"]], Json.encode("a\1b\n\"\\ é"))
    end)

    it("writes the shortest number that reads back the same", function()
      assert.are.equal("[0.3,0.1,2.5e-07,1e+300]", Json.encode({ 0.3, 0.1, 2.5e-7, 1e300 }))
    end)

    it("writes whole numbers without a decimal point", function()
      assert.are.equal("[1,-2,3338801804,0]", Json.encode({ 1, -2, 3338801804, 0 }))
    end)

    it("refuses what JSON cannot say, with a sentence", function()
      local cases = {
        { 0 / 0, "NaN" }, { math.huge, "inf" }, { { 1, nil, 3 }, "holes" },
        { { 1, x = 2 }, "mixes" }, { { [true] = 1 }, "boolean" }, { print, "function" },
      }
      for _, case in ipairs(cases) do
        local text, err = Json.encode(case[1])
        assert.is_nil(text)
        assert.matches("^Cannot encode JSON: ", err)
      end
      local t = {}
      t.self = t
      local text, err = Json.encode(t)
      assert.is_nil(text)
      assert.matches("contains itself", err)
    end)
  end)

  describe("decode errors", function()
    local bad = {
      { "", "position 1 .*expected a value.*the end of the text" },
      { "{", "position 2 .*member name" },
      { '{"a" 1}', "position 6 .*expected ':'" },
      { '{"a":1,}', "position 8 .*member name" },
      { "[1,]", "position 4 .*expected a value" },
      { "[1 2]", "position 4 .*expected ',' or ']'" },
      { "01", "position 1 .*leading zeros" },
      { "1.", "position 3 .*digit after the decimal point" },
      { "1e", "position 3 .*exponent" },
      { "-", "position 2 .*digit" },
      { "+1", "position 1 .*expected a value" },
      { ".5", "position 1 .*expected a value" },
      { "tru", "position 1 .*expected a value" },
      { '"abc', "position 5 .*closing quote" },
      { '"a\1b"', "position 3 .*control characters" },
      { [["\x"]], "position 3 .*escape" },
      { [["\u12"]], "position 4 .*four hex digits" },
      { [["\ud83d"]], "position 8 .*low surrogate" },
      { [["\ude00"]], "position 2 .*low surrogate without a high" },
      { "[1] [2]", "position 5 .*nothing after the value" },
      { "{\n  \"a\": tru\n}", "line 2, column 8" },
      { "NaN", "position 1" },
    }
    for _, case in ipairs(bad) do
      it("rejects " .. case[1]:gsub("\n", "\\n"), function()
        local value, err = Json.decode(case[1])
        assert.is_nil(value)
        assert.matches("^Invalid JSON at ", err)
        assert.matches(case[2], err)
      end)
    end

    it("rejects non-text with a sentence rather than raising", function()
      local value, err = Json.decode(nil)
      assert.is_nil(value)
      assert.matches("expected text", err)
    end)

    it("limits nesting instead of overflowing the stack", function()
      local deep = string.rep("[", 600) .. string.rep("]", 600)
      local value, err = Json.decode(deep)
      assert.is_nil(value)
      assert.matches("levels of nesting", err)
      local ok = string.rep("[", 400) .. string.rep("]", 400)
      assert.is_table(Json.decode(ok))
    end)

    it("says which character it found", function()
      local _, err = Json.decode('{"a":x}')
      assert.matches('found "x"', err)
    end)
  end)

  it("runs on Lua 5.1, as Lightroom does", function()
    assert.are.equal("Lua 5.1", _VERSION)
  end)
end)
