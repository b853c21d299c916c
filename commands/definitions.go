package commands

// definitions is the command table. Help is generated from it.
func definitions() []Definition {
	return []Definition{
		{
			Name:    CmdHelp,
			French:  []string{"aide"},
			English: []string{"help"},
			Usage:   [2]string{"aide", "help"},
			Description: [2]string{"cette liste",
				"this list"},
			HandleFunc: handleHelp,
		},
		{
			Name:    CmdDraft,
			French:  []string{"brouillon", "proposer"},
			English: []string{"draft", "suggest"},
			Usage:   [2]string{"brouillon [texte]", "draft [text]"},
			Description: [2]string{"propose un post et l'envoie en approbation (sans texte : ouvre le formulaire)",
				"proposes a post and sends it for approval (no text: opens the form)"},
			HandleFunc: handleDraft,
		},
		{
			Name:    CmdStatus,
			French:  []string{"statut", "état"},
			Neutral: []string{"status"},
			Usage:   [2]string{"statut", "status"},
			Description: [2]string{"alors, ça tweete ? ce qui est parti, ce qui attend, ce qui vient",
				"how's it going? what went out, what waits, what comes next"},
			HandleFunc: handleStatus,
		},
		{
			Name:    CmdQueue,
			French:  []string{"file"},
			Neutral: []string{"queue"},
			Usage:   [2]string{"file", "queue"},
			Description: [2]string{"les posts approuvés qui attendent leur heure",
				"approved posts waiting for their time"},
			HandleFunc: handleQueue,
		},
		{
			Name:    CmdPending,
			French:  []string{"en-attente", "attente"},
			English: []string{"pending"},
			Usage:   [2]string{"en-attente", "pending"},
			Description: [2]string{"les posts qui attendent une approbation",
				"posts waiting for approval"},
			HandleFunc: handlePending,
		},
		{
			Name:    CmdCancel,
			French:  []string{"annuler"},
			English: []string{"cancel"},
			Usage:   [2]string{"annuler &lt;n°&gt;", "cancel &lt;id&gt;"},
			Description: [2]string{"annule un post qui n'est pas encore parti",
				"cancels a post that has not gone out yet"},
			HandleFunc: handleCancel,
		},
	}
}
