# Windows: installs (default) or uninstalls the Junmai daemon as a scheduled task that starts at logon.
#   powershell -ExecutionPolicy Bypass -File scripts\service.ps1 [install|uninstall|status]
# Settings set in this session ($env:JUNMAI_PORT, $env:OLLAMA_HOST, ...) are carried into the task.
param([ValidateSet('install', 'uninstall', 'status')][string]$Command = 'install')
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

if (-not (Get-Command node -ErrorAction SilentlyContinue)) {
  Write-Error 'junmai: Node.js 20.19 or newer is needed (https://nodejs.org).'
}
if ($Command -eq 'install') {
  if (-not (Test-Path 'node_modules/.package-lock.json') -or
      (Get-Item 'package-lock.json').LastWriteTime -gt (Get-Item 'node_modules/.package-lock.json').LastWriteTime) {
    npm ci --no-audit --no-fund
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  }
  npm run --silent build
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
node dist/daemon/service/cli-entry.js $Command
exit $LASTEXITCODE
