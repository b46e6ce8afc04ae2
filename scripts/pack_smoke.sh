#!/usr/bin/env bash
# Pack smoke test: uses the NuGet packages the way a .NET user does, not from the clone.
#
#  1. dotnet pack Ease.Format, Ease.Engine, Ease.AspNetCore and Ease.Tool into a temporary folder;
#  2. dotnet tool install Ease.Tool from that folder into a temporary tool path, then run
#     `ease --version` and `ease demo` from it;
#  3. with the installed tool: ease generate, ease train, ease recommend;
#  4. create a consumer project in the temporary folder (outside the repository, so the
#     repository's Directory.*.props and central package versions do not apply) that references
#     Ease.Engine and Ease.Format from that folder, opens the model with ModelFile.Open, scores the
#     first user with a Recommender and prints 'user,rank,item,score' rows; they must equal the
#     tool's `ease recommend` rows for that user;
#  5. create a web app there that references Ease.AspNetCore from that folder, wired as the README
#     shows (AddEase from configuration, MapEase("/ease"), MapHealthChecks), start it on a loopback
#     port, and check /ready, that POST /ease/recommend for that user returns the same items, and
#     that /ease/metrics counted the request.
#
# The temporary NuGet cache (NUGET_PACKAGES) and a nuget.config that maps Ease.* to the local
# folder only make sure the fresh packages are the ones used, never a cached or remote copy.
# Prints one line "pack smoke: PASS (..s)" or "pack smoke: FAIL: <step> ..." and exits non-zero on
# failure. PACK_SMOKE_KEEP=1 keeps the temporary folder.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/ease-pack-smoke.XXXXXX")"
log="$tmp/step.log"
start=$SECONDS
step="setup"

finish() {
    local code=$?
    if [[ $code -ne 0 ]]; then
        [[ -s $log ]] && tail -n 30 "$log" >&2
        echo "pack smoke: FAIL: $step (exit $code, after $((SECONDS - start))s)"
    fi
    if [[ ${PACK_SMOKE_KEEP:-0} == 1 ]]; then
        echo "pack smoke: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$code"
}
trap finish EXIT

# run STEP CMD...: runs CMD with its output in the step log, and says how long it took.
run() {
    step="$1"
    shift
    local t0=$SECONDS
    "$@" >"$log" 2>&1
    echo "  ok  $step ($((SECONDS - t0))s)"
}

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "pack smoke: packing into $tmp/nupkg"
for project in Format Engine AspNetCore Cli; do
    run "dotnet pack $project" dotnet pack "$repo/$project/$project.csproj" -c Release -o "$tmp/nupkg"
done
step="read the package version"
version="$(dotnet msbuild "$repo/Cli/Cli.csproj" -getProperty:PackageVersion -p:Configuration=Release)"
for id in Ease.Format Ease.Engine Ease.AspNetCore Ease.Tool; do
    step="find $id.$version.nupkg and .snupkg"
    test -f "$tmp/nupkg/$id.$version.nupkg"
    test -f "$tmp/nupkg/$id.$version.snupkg"
done

# From here on, a user's view: a fresh package cache, and the local folder as the only source of
# Ease.* packages. The tool is installed from a folder whose nuget.config clears every other source
# (--add-source cannot be combined with package source mapping); the consumer's nuget.config maps
# Ease.* to the local folder and everything else to nuget.org.
export NUGET_PACKAGES="$tmp/nuget-cache"
mkdir -p "$tmp/tool" "$tmp/consumer" "$tmp/webapp"
cat >"$tmp/tool/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
  </packageSources>
</configuration>
EOF
cat >"$tmp/consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="ease-local" value="$tmp/nupkg" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="ease-local">
      <package pattern="Ease.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF
cd "$tmp/tool"

run "dotnet tool install Ease.Tool $version" \
    dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/nupkg" Ease.Tool --version "$version"
ease="$tmp/tools/ease"

run "ease --version" "$ease" --version
step="ease --version prints $version"
printed="$(cat "$log")"
[[ $printed == "$version" || $printed == "$version+"* ]]
echo "      ease --version: $printed"

run "ease demo" "$ease" demo --dir "$tmp/demo"
step="ease demo wrote its recommendations"
test -s "$tmp/demo/recommendations.csv"

run "ease generate" "$ease" generate --out "$tmp/data" --users 2000 --items 400 --seed 3
run "ease train" "$ease" train -i "$tmp/data/train.txt" --format adjacency -o "$tmp/model.ease" --lambda 100 --prune-topk 100 -q
run "ease recommend" "$ease" recommend -m "$tmp/model.ease" -i "$tmp/data/train.txt" --format adjacency -k 10 -o "$tmp/recommendations.csv"

cd "$tmp/consumer"
cat >"$tmp/consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Ease.Engine" Version="$version" />
    <PackageReference Include="Ease.Format" Version="$version" />
  </ItemGroup>
</Project>
EOF
cat >"$tmp/consumer/Program.cs" <<'EOF'
using System.Globalization;
using Ease.Engine.Scoring;
using Ease.Format;

// args: MODEL HISTORY K. Scores the first user of an adjacency history file ("user item item ...").
string[] first = File.ReadLines(args[1]).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
using ModelFile model = ModelFile.Open(args[0]);
var scorer = new Recommender(model);
Span<ScoredItem> top = stackalloc ScoredItem[int.Parse(args[2], CultureInfo.InvariantCulture)];
int n = scorer.Recommend(first.AsSpan(1), top, out RecommendStatus _);
for (int i = 0; i < n; i++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{first[0]},{i + 1},{model.ItemId(top[i].Row)},{top[i].Score:R}"));
EOF
run "build the consumer from the packages" dotnet build "$tmp/consumer/Consumer.csproj" -c Release
run "run the consumer" dotnet "$tmp/consumer/bin/Release/net10.0/Consumer.dll" "$tmp/model.ease" "$tmp/data/train.txt" 10
cp "$log" "$tmp/consumer.out"
step="the consumer printed recommendations"
test -s "$tmp/consumer.out"
user="$(head -n 1 "$tmp/data/train.txt" | cut -d ' ' -f 1)"
step="the consumer's top 10 for user $user equal ease recommend's"
grep "^$user," "$tmp/recommendations.csv" >"$tmp/expected.out"
diff "$tmp/expected.out" "$tmp/consumer.out" >"$log"
step="check the consumer resolved Ease.Engine from the local folder"
test -f "$NUGET_PACKAGES/ease.engine/$version/ease.engine.$version.nupkg"
cmp -s "$NUGET_PACKAGES/ease.engine/$version/ease.engine.$version.nupkg" "$tmp/nupkg/Ease.Engine.$version.nupkg"
echo "      consumer: $(head -n 1 "$tmp/consumer.out") ... ($(wc -l <"$tmp/consumer.out") rows)"

cp "$tmp/consumer/nuget.config" "$tmp/webapp/nuget.config"
cd "$tmp/webapp"
cat >"$tmp/webapp/WebApp.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Ease.AspNetCore" Version="$version" />
  </ItemGroup>
</Project>
EOF
cat >"$tmp/webapp/Program.cs" <<'EOF'
using Ease.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEase(builder.Configuration.GetSection("Ease"));   // Ease__ModelPath=...
var app = builder.Build();
app.MapEase("/ease");
app.MapHealthChecks("/ready");
app.Run();
EOF
run "build the web app from the packages" dotnet build "$tmp/webapp/WebApp.csproj" -c Release
port=$((20000 + RANDOM % 20000))
step="start the web app on 127.0.0.1:$port"
Ease__ModelPath="$tmp/model.ease" dotnet "$tmp/webapp/bin/Release/net10.0/WebApp.dll" --urls "http://127.0.0.1:$port" >"$tmp/webapp.log" 2>&1 &
webapp=$!
trap 'kill $webapp 2>/dev/null || true; finish' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.2; done
step="the web app is ready"
[[ "$(curl -sf "http://127.0.0.1:$port/ready")" == "Healthy" ]] || { cat "$tmp/webapp.log" >"$log"; false; }
step="the web app's /ease/recommend for user $user equals ease recommend's items"
history="$(head -n 1 "$tmp/data/train.txt" | cut -d ' ' -f 2- | sed 's/ /","/g')"
curl -sf "http://127.0.0.1:$port/ease/recommend" -H 'Content-Type: application/json' -d "{\"history\": [\"$history\"], \"k\": 10}" >"$tmp/webapp.json"
grep -o '"id":"[^"]*"' "$tmp/webapp.json" | sed 's/"id":"\(.*\)"/\1/' >"$tmp/webapp.ids"
cut -d , -f 3 "$tmp/expected.out" | diff - "$tmp/webapp.ids" >"$log"
step="the web app's /ease/metrics counts the request"
curl -sf "http://127.0.0.1:$port/ease/metrics" | grep -q '^ease_requests_total{otel_scope_name="Ease",route="recommend"} 1$'
kill $webapp 2>/dev/null || true
wait $webapp 2>/dev/null || true
echo "      web app: /ease/recommend for user $user: $(tr '\n' ' ' <"$tmp/webapp.ids")"

echo "pack smoke: PASS ($((SECONDS - start))s)"
