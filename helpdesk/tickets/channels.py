"""How a ticket reached the desk: the channel codes and their labels, for forms, pages, figures and exports."""

from helpdesk.platform.i18n import N_

CHANNEL_LABELS = {
    "web": N_("Formulaire en ligne"),
    "phone": N_("Téléphone"),
    "mail": N_("Courriel"),
    "api": N_("API"),
    "diagnostic": N_("Diagnostic guidé"),
}
CHANNELS = tuple(CHANNEL_LABELS)
AGENT_CHANNELS = ("web", "phone", "mail")  # what an agent records for a caller
