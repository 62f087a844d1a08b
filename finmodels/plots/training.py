"""Charts of a training run."""

from __future__ import annotations

import plotly.graph_objects as go

from finmodels.plots.style import LAYOUT, TRAIN_COLOR, VALID_COLOR

# the faint validation lines of a blend's other architectures, in the blend's order (the chosen one's are VALID_COLOR)
OTHER_ARCH_COLORS = ("#8e44ad", "#16a085", "#7f8c8d")
MAX_EPOCH_TICKS = 10


def epoch_ticks(epochs: int) -> dict:
    """An epoch axis ticked at whole epochs only (plotly put ticks at 1.5 and 2.5 on a 3-epoch run): every epoch up
    to 10, else steps of 2, 5, 10, 20, 50, ... for at most about 10 ticks."""
    step, factors = 1, (2, 2.5, 2)  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 -> ...
    while epochs > MAX_EPOCH_TICKS * step:
        step = round(step * factors[0])
        factors = factors[1:] + factors[:1]
    return dict(tickmode="linear", tick0=0, dtick=step)


def plot_loss_curve(history: dict[str, list[float]], *, title: str = "Loss per epoch",
                    networks: dict[str, list[int]] | None = None, planned: int | None = None,
                    training: tuple[int, int] | None = None) -> go.Figure:
    """Training and validation loss by epoch, with the best validation epoch marked.

    A cross-fitted run's other networks (training.members: 'network_K_val_loss') are drawn faintly. `networks`
    groups the run's network numbers by architecture, in the blend's order, under the name its legend reads
    ({'dense networks (MLP)': [1, ..., 5], 'deep & cross networks (DCN-V2)': [6, ..., 10]}, members.run_networks):
    each architecture's faint lines get their own colour and legend entry, numbered within it; without it (the
    live chart) they are one group. `planned` is how many networks the run will fit, for the live chart's title
    while only some have begun. `training` is (k, n) while the live chart's run fits its k-th network of n: the
    title then names that network, as the progress line does, and which lines are drawn.
    """
    fig = go.Figure()
    epochs = list(range(1, len(history.get("loss", [])) + 1))
    fig.add_trace(go.Scatter(x=epochs, y=history.get("loss", []), name="train", mode="lines+markers",
                             line=dict(color=TRAIN_COLOR)))
    val = history.get("val_loss", [])
    if val:
        fig.add_trace(go.Scatter(x=epochs[: len(val)], y=val, name="validation", mode="lines+markers",
                                 line=dict(color=VALID_COLOR)))
        best = min(range(len(val)), key=val.__getitem__)
        fig.add_vline(x=best + 1, line_dash="dot", line_color=VALID_COLOR,
                      annotation_text=f"best epoch {best + 1}", annotation_position="top right")
    others = sorted({int(k.split("_")[1]) for k in history if k.startswith("network_") and k.endswith("_val_loss")})
    many = f"validation, networks 2-{len(others) + 1}" if len(others) > 1 else "validation, network 2"
    groups = networks if networks and len(networks) > 1 else {many: others}
    for index, (name, numbers) in enumerate(groups.items()):
        color = VALID_COLOR if index == 0 else OTHER_ARCH_COLORS[(index - 1) % len(OTHER_ARCH_COLORS)]
        faint = [k for k in numbers if k in others]
        if groups is networks:  # numbered within the architecture: 'deep & cross networks (DCN-V2) 1-5'
            within = [numbers.index(k) + 1 for k in faint]
            name = f"{name} {within[0]}" + (f"-{within[-1]}" if len(within) > 1 else "") if within else name
        for i, k in enumerate(faint):
            values = history[f"network_{k}_val_loss"]
            fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, name=name,
                                     legendgroup="others" if index == 0 else f"others_{index + 1}",
                                     showlegend=i == 0, mode="lines", opacity=0.35, line=dict(color=color, width=1)))
    if groups is networks and others:
        first, numbers = next(iter(networks.items()))
        one = first.split(" (")[0].replace("networks", "network")  # 'dense networks (MLP)' -> 'dense network'
        title = f"{title} (bold: network 1, a {one}; faint: the other {len(others)})"
    elif training is not None and training[1] > 1:  # live: the network in training, as the progress line says
        faint = "" if not others else f"; faint: network{'s' if len(others) > 1 else ''} " + (
            f"2-{others[-1]}" if len(others) > 1 else f"{others[0]}")
        title = f"{title}: network {training[0]} of {training[1]} training (bold: network 1{faint})"
    elif others or (planned or 0) > 1:
        title = f"{title} (network 1 of {max(planned or 0, len(others) + 1)})"
    longest = max((len(v) for k, v in history.items() if k == "loss" or k.endswith("val_loss")), default=1)
    fig.update_layout(title=title, xaxis_title="Epoch", xaxis=epoch_ticks(longest), yaxis_title="Loss", **LAYOUT)
    return fig
