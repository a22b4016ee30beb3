"""Hidden checks: graded inputs that students never see. Never ship this folder."""

SEED_SALT = "c614630876f83ba87549a91b7235d25b"
