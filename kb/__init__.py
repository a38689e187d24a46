"""Knowledge base: FAQ articles, glossary, search, ticket deflection and guided diagnostics."""
