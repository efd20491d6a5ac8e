// Français. Typographie française : espace insécable fine avant « ; : ! ? » et dans les guillemets.
import type { Catalogue } from './catalogue.ts';

export const fr: Catalogue = {
  'edition.number': 'N° {number}',
  'edition.contents': 'Dans ce numéro',
  'edition.contentsOfDocument': 'Sommaire',
  'edition.nextIssue': 'Dans le prochain numéro',
  'edition.byline': 'Par {byline}',
  'edition.publishedBy': '{publication} est publié par {publisher}',
  'edition.phone': 'Tél. : {phone}',
  'edition.fax': 'Fax : {fax}',
  'edition.webEdition': 'Version web',
  'edition.pdfEdition': 'Version PDF',
  'edition.question': 'Q. :',
  'edition.picture': '[Image : {alt}]',
  'edition.event': 'Événement',
  'edition.publication': 'Publication',
  'edition.chair': 'Présidence',
  'edition.moderator': 'Modération',
  'edition.speakers': '{count, plural, one {Intervenant} other {Intervenants}}',
  'edition.noteRef': 'Note {number}',
  'edition.backToNote': 'Retour au texte de la note {number}',
  'edition.titleNote': 'Note sur le titre',
  'edition.backToTitle': 'Retour au titre',
  'email.readOnWeb': 'Lire ce numéro en ligne',
  'email.subscribe':
    'Pour vous abonner, envoyez un courriel à {address}. Vos contributions sont les bienvenues à la même adresse.',
  'email.receivedAt': 'Vous recevez ce bulletin à l’adresse {address}',
  'email.unsubscribe': 'Se désabonner',
  'text.webEdition': 'Version web : {url}',
  'text.pdfEdition': 'Version PDF : {url}',
  'text.subscribe':
    'Pour vous abonner, envoyez un courriel à {address} avec le mot « subscribe ». Vos contributions sont les bienvenues à la même adresse.',
  'text.receivedAt': 'Vous recevez ce bulletin à l’adresse :',
  'text.unsubscribe': 'Pour vous désabonner :',
  'web.skip': 'Aller au contenu',
  'web.downloadPdf': 'Télécharger la version PDF',
  'web.otherIssues': 'Autres numéros',
  'web.previous': '← Précédent : {issue}',
  'web.next': 'Suivant : {issue} →',
  'web.allIssues': 'Tous les numéros',
  'web.allPublications': 'Toutes les publications',
  'web.site': 'Site',
  'web.subscribe': 'S’abonner',
  'web.atomFeed': 'Flux Atom',
  'web.browse': 'Trouver un article : parcourir tous les numéros',
  'web.search': 'Rechercher',
  'web.subscribeBy':
    'Pour vous abonner, envoyez un courriel à {address} ou {web}. Vos contributions sont les bienvenues à la même adresse.',
  'web.subscribeOnWeb': 'abonnez-vous en ligne',
  'pdf.number': 'N° {number}',
  'pdf.page': 'Page {page} sur {total}',
  'pdf.subscribe': 'Pour vous abonner, envoyez un courriel à {address} avec « subscribe » pour objet.',
  'pdf.onTheWeb': 'Ce numéro en ligne : {url}',
  'list.footer': 'envoyez « help » à {address} pour connaître les commandes de la liste.',
  'list.orReplyText': 'ou répondez simplement à ce courriel.',
  'list.openLinkText': 'Pour confirmer, ouvrez ce lien :',
  'list.latestOnline': 'Le dernier numéro est en ligne :',
  'list.confirmSubscribe.subject': 'Confirmez votre abonnement à {list}',
  'list.confirmSubscribe.asked':
    'Quelqu’un, probablement vous, a demandé l’abonnement de {address} à {list}.',
  'list.confirmSubscribe.button': 'Confirmer mon abonnement',
  'list.confirmSubscribe.ignore':
    'Vous pouvez aussi répondre simplement à ce courriel. Si vous n’avez rien demandé, ignorez ce message : rien ne se fera sans votre confirmation, et ce lien expire dans 7 jours.',
  'list.confirmSubscribe.ignoreText':
    'Si vous n’avez rien demandé, ignorez ce message : rien ne se fera sans\nvotre confirmation, et le lien expire dans 7 jours.',
  'list.confirmUnsubscribe.subject': 'Confirmez que vous souhaitez quitter {list}',
  'list.confirmUnsubscribe.asked':
    'Quelqu’un, probablement vous, a demandé le désabonnement de {address} de {list}.',
  'list.confirmUnsubscribe.button': 'Me désabonner',
  'list.confirmUnsubscribe.ignore':
    'Vous pouvez aussi répondre simplement à ce courriel. Si vous n’avez rien demandé, ignorez ce message : votre abonnement est maintenu.',
  'list.confirmUnsubscribe.ignoreText':
    'ou répondez simplement à ce courriel. Si vous n’avez rien demandé,\nignorez ce message : votre abonnement est maintenu.',
  'list.confirmChange.subject': 'Confirmez la modification de votre abonnement à {list}',
  'list.confirmChange.asked':
    'Quelqu’un, probablement vous, a demandé de remplacer le nom associé à l’abonnement de {address} à {list} par : {name}',
  'list.confirmChange.askedText':
    'Quelqu’un, probablement vous, a demandé de remplacer le nom associé à\nl’abonnement de {address} à {list} par : {name}',
  'list.confirmChange.button': 'Confirmer la modification',
  'list.confirmChange.openLinkText':
    'Pour confirmer la modification, ouvrez ce lien et appuyez sur le bouton :',
  'list.confirmChange.ignore':
    'Si vous n’avez rien demandé, ignorez ce message : rien ne changera sans votre confirmation, et ce lien expire dans 7 jours.',
  'list.confirmChange.ignoreText':
    'Si vous n’avez rien demandé, ignorez ce message : rien ne changera sans\nvotre confirmation, et le lien expire dans 7 jours.',
  'list.welcome.subject': 'Bienvenue à {list}',
  'list.welcome.now': 'Bienvenue ! {address} reçoit désormais {list}.',
  'list.welcome.readOnWeb': 'Le lire en ligne',
  'list.welcome.downloadPdf': 'Télécharger le PDF',
  'list.welcome.webText': 'Web : {url}',
  'list.welcome.pdfText': 'PDF : {url}',
  'list.welcome.contribute': 'Vos contributions sont les bienvenues à {address}.',
  'list.welcome.leave':
    'Pour quitter la liste à tout moment, utilisez le lien au bas de chaque numéro ou {link}.',
  'list.welcome.thisOne': 'celui-ci',
  'list.welcome.leaveText':
    'Pour quitter la liste à tout moment, utilisez le lien au bas de chaque\nnuméro ou celui-ci :',
  'list.goodbye.subject': 'Vous ne recevrez plus {list}',
  'list.goodbye.done': '{address} ne recevra plus {list}.',
  'list.goodbye.again': 'Vous avez changé d’avis ? Envoyez « subscribe » à {address}.',
  'list.goodbye.againText': 'Vous avez changé d’avis ? Envoyez un courriel à {address}.',
  'list.help.subject': 'Comment utiliser {list}',
  'list.help.addresses': 'Vous pouvez écrire aux adresses suivantes de {list} :',
  'list.acknowledgement.subject':
    '{titled, select, yes {Reçu : {subject}} other {Reçu : votre message à {list}}}',
  'list.acknowledgement.thanks':
    'Merci d’avoir écrit à {list}. {titled, select, yes {Votre message « {subject} »} other {Votre message}} est bien parvenu à la rédaction.',
  'list.acknowledgement.thanksText':
    'Merci d’avoir écrit à {list}. {titled, select, yes {Votre message « {subject} »} other {Votre message}}\nest bien parvenu à la rédaction.',
  'list.acknowledgement.automatic':
    'Ceci est une réponse automatique ; la rédaction vous contactera si nécessaire.',
  'page.invalid.title': 'Ce lien a expiré ou n’est pas valide',
  'page.invalid.text':
    'Les liens de nos courriels expirent au bout d’un certain temps. Veuillez recommencer à partir d’un courriel récent ou écrire à l’adresse de la liste.',
  'page.malformed.title': 'Cette demande n’a pas été comprise',
  'page.malformed.text':
    'Veuillez appuyer de nouveau sur le bouton de la page, ou recommencer à partir d’un courriel récent.',
  'page.subscribe.title': 'S’abonner à {list}',
  'page.subscribe.text':
    '{list} est envoyé par courriel. Nous enverrons un message à l’adresse indiquée : l’abonnement ne prend effet qu’une fois confirmé depuis ce message.',
  'page.subscribe.button': 'S’abonner',
  'page.subscribe.email': 'Adresse électronique',
  'page.subscribe.name': 'Nom (facultatif)',
  'page.subscribe.trap': 'Laisser vide',
  'page.notAnAddress.title': 'Ce n’est pas une adresse électronique',
  'page.notAnAddress.text': 'Veuillez vérifier l’adresse et réessayer.',
  'page.tooMany.title': 'Trop de demandes',
  'page.tooMany.text': 'Veuillez réessayer dans une heure.',
  'page.checkInbox.title': 'Veuillez consulter votre boîte de réception',
  'page.checkInbox.text':
    'Si {address} peut recevoir du courrier, un message y est en route. Ouvrez-le et confirmez pour recevoir {list}.',
  'page.confirm.text': 'Appuyez sur le bouton pour confirmer que {address} souhaite recevoir {list}.',
  'page.confirm.button': 'Confirmer mon abonnement',
  'page.subscribed.title': 'Vous êtes abonné',
  'page.subscribed.text': '{address} recevra {list}. Un courriel de bienvenue est en route.',
  'page.change.title': 'Modifier votre abonnement à {list}',
  'page.change.text': 'Appuyez sur le bouton pour confirmer que {address} doit être désigné par « {name} ».',
  'page.change.button': 'Confirmer la modification',
  'page.changed.title': 'Votre abonnement est modifié',
  'page.changed.text': '{address} est désormais désigné par « {name} ».',
  'page.unsubscribe.title': 'Se désabonner de {list}',
  'page.unsubscribe.text': 'Appuyez sur le bouton et {address} ne recevra plus {list}.',
  'page.unsubscribe.button': 'Se désabonner',
  'page.unsubscribed.title': 'Vous êtes désabonné',
  'page.unsubscribed.text': '{address} ne recevra plus {list}.',
};
