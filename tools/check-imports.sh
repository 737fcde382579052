#!/usr/bin/env bash
# The package graph of the provider, checked by `make lint` (see
# docs/DEVELOPMENT.md). Non-test imports only; tests may import anything.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)

# Each rule is three entries: importer, imported (extended regexps on paths
# relative to the module) and why the edge is refused.
rules=(
	'^internal/framework(/|$)' 'internal/(resources|fleet|rancher|kubesphere|downstream|provider|acctest|testenv)(/|$)'
	'the core knows Kubernetes and Terraform, not Fleet or the resources'
	'^internal/(validate|kube|connection|customtypes|fleet|rancher|kubesphere|providerdata|compat|helmchart)(/|$)' 'internal/(framework|downstream|resources|provider)(/|$)'
	'leaf packages import no provider code'
	'^internal/downstream$' 'internal/(resources|provider)(/|$)'
	'downstream serves the resources, it does not know them'
	'^internal/resources/agentspec$' 'internal/resources/[a-z]+$'
	'agentspec is shared by the domains, it imports none of them'
	'^internal/resources/[a-z]+$' 'internal/resources/(workloads|tenancy|clusters|agent|rancher|airgap|kubesphere|fleetversion|install)$'
	'domain packages do not import each other (agent -> clusters is the one exception)'
	'^internal/' 'internal/(testenv|acctest)(/|$)'
	'only tests import the test environment'
)
# allow <importer> <imported>: exceptions to the rules above.
allowed=(
	'internal/resources/agent internal/resources/clusters'
	'internal/acctest internal/testenv'
	'internal/testenv/cmd/fleet-testenv internal/testenv'
)

failed=0
while read -r pkg imports; do
	pkg=${pkg#"$mod"/}
	for imp in $imports; do
		[[ $imp == "$mod"/* ]] || continue
		imp=${imp#"$mod"/}
		[[ $imp == "$pkg" ]] && continue
		for ((i = 0; i < ${#rules[@]}; i += 3)); do
			from=${rules[i]} to=${rules[i + 1]} why=${rules[i + 2]}
			if [[ $pkg =~ $from && $imp =~ ^$to ]]; then
				ok=
				for a in "${allowed[@]}"; do [[ "$a" == "$pkg $imp" ]] && ok=1; done
				if [ -z "$ok" ]; then
					echo "import not allowed: $pkg -> $imp ($why)"
					failed=1
				fi
			fi
		done
	done
done < <(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./...)
exit $failed
