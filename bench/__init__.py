"""The benchmark suite: benchmark-scale data (seed_scale), the ceiling view and the load runner (run)."""
