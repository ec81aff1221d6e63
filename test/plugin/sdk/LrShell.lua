-- Shell actions, recorded instead of done.
local LrShell = { _revealed = {}, _opened = {} }
function LrShell.revealInShell(path) LrShell._revealed[#LrShell._revealed + 1] = path end
function LrShell.openFilesInApp(files, app) LrShell._opened[#LrShell._opened + 1] = { files = files, app = app } end
function LrShell._reset()
  LrShell._revealed = {}
  LrShell._opened = {}
end
return LrShell
