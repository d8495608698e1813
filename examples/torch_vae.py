"""A small torch VAE given as a function: the search strategies tune its training.

``function_problem`` takes any function ``(config, fidelity, seed) -> score`` (greater is
better), or one returning a mapping with ``score``, ``test_score`` and other named numbers. Heavy
libraries are imported inside the function: it runs in worker processes. Needs the torch extra
(``pip install 'searchbench[torch]'``)::

    python examples/torch_vae.py
    searchbench run --problems-from examples/torch_vae.py --strategies random,optuna_tpe \\
        --seeds 2 --budget 10
"""

from searchbench import (Categorical, Fidelity, Integer, Real, Space, compare,
                         function_problem)

EPOCHS = 20  # a full evaluation; a fidelity f trains for round(f * EPOCHS) epochs


def train_vae(config, fidelity, seed):
    """Train a VAE on scikit-learn's 8x8 digits; score: minus the validation negative ELBO per
    image (nats), with the test split's beside it."""
    import numpy as np
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    X = load_digits().data.astype(np.float32) / 16.0
    X_train, X_test = train_test_split(X, test_size=0.2, random_state=seed)
    X_train, X_val = train_test_split(X_train, test_size=0.25, random_state=seed)
    width, latent = config["width"], config["latent"]
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[config["activation"]]
    encoder = torch.nn.Sequential(torch.nn.Linear(64, width), act(), torch.nn.Linear(width, 2 * latent))
    decoder = torch.nn.Sequential(torch.nn.Linear(latent, width), act(), torch.nn.Linear(width, 64))
    params = [*encoder.parameters(), *decoder.parameters()]
    optimizer = torch.optim.Adam(params, lr=config["lr"])

    def neg_elbo(batch):
        mean, log_var = encoder(batch).chunk(2, dim=1)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var)
        logits = decoder(z)
        recon = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, batch, reduction="sum")
        kl = -0.5 * torch.sum(1 + log_var - mean ** 2 - log_var.exp())
        return (recon + kl) / len(batch)

    data = torch.from_numpy(X_train)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(max(1, round(fidelity * EPOCHS))):
        for idx in torch.randperm(len(data), generator=generator).split(config["batch_size"]):
            optimizer.zero_grad()
            loss = neg_elbo(data[idx])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        val = float(neg_elbo(torch.from_numpy(X_val)))
        test = float(neg_elbo(torch.from_numpy(X_test)))
    return {"score": -val, "test_score": -test, "val_nelbo": val}


VAE = function_problem(
    "vae-mydigits",
    train_vae,
    Space([
        Real("lr", 1e-4, 3e-2, log=True),
        Integer("width", 16, 256, log=True),
        Integer("latent", 2, 16),
        Categorical("activation", ("relu", "tanh")),
        Categorical("batch_size", (32, 64, 128)),
    ]),
    fidelity=Fidelity(min_fraction=0.1),  # multi-fidelity strategies may train fewer epochs
    metric="-negative ELBO (nats)",
    data_version="sklearn-digits",
    time_limit=120,
)

PROBLEMS = [VAE]

if __name__ == "__main__":
    result = compare(PROBLEMS, strategies=["random", "optuna_tpe"], seeds=2, budget=10)
    print(result.leaderboard[["strategy", "normalized_score", "mean_rank", "runs"]])
    print(f"report: {result.folder / 'README.md'}")
