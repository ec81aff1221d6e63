-- Files and folders on the real file system, for the temporary renders the plug-in makes.
local LrFileUtils = {}

local function quote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

local function ok(status)
  return status == 0 or status == true
end

-- "file", "directory" or false, as Lightroom answers.
function LrFileUtils.exists(path)
  if type(path) ~= "string" or path == "" then return false end
  if ok(os.execute("test -d " .. quote(path))) then return "directory" end
  if ok(os.execute("test -e " .. quote(path))) then return "file" end
  return false
end

function LrFileUtils.createAllDirectories(path)
  return ok(os.execute("mkdir -p " .. quote(path)))
end

-- A file, or an empty folder (the shim refuses a folder with files in it, to catch sloppy cleanup).
function LrFileUtils.delete(path)
  if LrFileUtils.exists(path) == "directory" then
    return ok(os.execute("rmdir " .. quote(path) .. " 2>/dev/null"))
  end
  return os.remove(path) ~= nil
end

-- An iterator over what `find` lists directly in a folder, as Lightroom's iterators go.
local function entries(folder, findArgs)
  local list = {}
  local p = io.popen("find " .. quote(folder) .. " -mindepth 1 -maxdepth 1" .. findArgs .. " 2>/dev/null")
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  local i = 0
  return function()
    i = i + 1
    return list[i]
  end
end

-- The files directly in a folder.
function LrFileUtils.files(folder)
  return entries(folder, " -type f")
end

-- The files and folders directly in a folder.
function LrFileUtils.directoryEntries(folder)
  return entries(folder, "")
end

function LrFileUtils.readFile(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

return LrFileUtils
