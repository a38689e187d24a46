"""Administration of people and organisation (accounts, roles, EduLAB basins, schools)."""
