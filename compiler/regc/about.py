"""What regc is: its version and where it is published (re-exported by the package, ``regc.__version__``).

A module of its own, importing nothing, so that every room may name them without importing the
package's facade (whose ``load`` reaches the whole pipeline).
"""

__version__ = "0.1.0"
#: Where regc is published; rule docs (docs/rules.md) and SARIF links point under it. Keep [project.urls] in step.
HOMEPAGE = "https://github.com/koder-ai/regc"
#: Where a user installs regc from (README "Adopt it in your repository", the one install source): this version's tag.
INSTALL_SOURCE = f"git+{HOMEPAGE}@v{__version__}"
#: The documentation (docs/), as published under the homepage: what a file regc writes into a user's project links to,
#: never a path of this repository (a user's project has no docs/configuration.md).
DOCS = f"{HOMEPAGE}/blob/main/docs"
