"""Mass incidents: bursts detected or declared, their parent ticket, children and banner."""
