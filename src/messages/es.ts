// Español, en el registro de una organización internacional: trato de usted, sin anglicismos.
import type { Catalogue } from './catalogue.ts';

export const es: Catalogue = {
  'edition.number': 'N.º {number}',
  'edition.contents': 'En este número',
  'edition.contentsOfDocument': 'Índice',
  'edition.nextIssue': 'En el próximo número',
  'edition.byline': 'Por {byline}',
  'edition.publishedBy': '{publication} es una publicación de {publisher}',
  'edition.phone': 'Tel.: {phone}',
  'edition.fax': 'Fax: {fax}',
  'edition.webEdition': 'Edición web',
  'edition.pdfEdition': 'Edición en PDF',
  'edition.question': 'P.:',
  'edition.picture': '[Imagen: {alt}]',
  'edition.event': 'Evento',
  'edition.publication': 'Publicación',
  'edition.chair': 'Presidencia',
  'edition.moderator': 'Moderación',
  'edition.speakers': '{count, plural, one {Ponente} other {Ponentes}}',
  'edition.noteRef': 'Nota {number}',
  'edition.backToNote': 'Volver al texto de la nota {number}',
  'edition.titleNote': 'Nota sobre el título',
  'edition.backToTitle': 'Volver al título',
  'email.readOnWeb': 'Leer este número en la web',
  'email.subscribe':
    'Para suscribirse, envíe un correo electrónico a {address}. Sus contribuciones son bienvenidas en la misma dirección.',
  'email.receivedAt': 'Recibe este boletín en {address}',
  'email.unsubscribe': 'Cancelar la suscripción',
  'text.webEdition': 'Edición web: {url}',
  'text.pdfEdition': 'Edición en PDF: {url}',
  'text.subscribe':
    'Para suscribirse, envíe un correo electrónico a {address} con la palabra «subscribe». Sus contribuciones son bienvenidas en la misma dirección.',
  'text.receivedAt': 'Recibe este boletín en:',
  'text.unsubscribe': 'Para cancelar la suscripción:',
  'web.skip': 'Ir al contenido',
  'web.downloadPdf': 'Descargar la edición en PDF',
  'web.otherIssues': 'Otros números',
  'web.previous': '← Anterior: {issue}',
  'web.next': 'Siguiente: {issue} →',
  'web.allIssues': 'Todos los números',
  'web.allPublications': 'Todas las publicaciones',
  'web.site': 'Sitio',
  'web.subscribe': 'Suscribirse',
  'web.atomFeed': 'Canal Atom',
  'web.browse': 'Buscar un artículo: ver todos los números',
  'web.search': 'Buscar',
  'web.subscribeBy':
    'Para suscribirse, envíe un correo electrónico a {address} o {web}. Sus contribuciones son bienvenidas en la misma dirección.',
  'web.subscribeOnWeb': 'suscríbase en la web',
  'pdf.number': 'N.º {number}',
  'pdf.page': 'Página {page} de {total}',
  'pdf.subscribe': 'Para suscribirse, envíe un correo electrónico a {address} con «subscribe» como asunto.',
  'pdf.onTheWeb': 'Este número en la web: {url}',
  'list.footer': 'envíe «help» a {address} para conocer los comandos de la lista.',
  'list.orReplyText': 'o simplemente responda a este correo.',
  'list.openLinkText': 'Para confirmar, abra este enlace:',
  'list.latestOnline': 'El último número está disponible en línea:',
  'list.confirmSubscribe.subject': 'Confirme su suscripción a {list}',
  'list.confirmSubscribe.asked': 'Alguien, probablemente usted, ha solicitado suscribir {address} a {list}.',
  'list.confirmSubscribe.button': 'Confirmar mi suscripción',
  'list.confirmSubscribe.ignore':
    'También puede responder simplemente a este correo. Si no lo ha solicitado, ignore este mensaje: no se hará nada sin su confirmación, y este enlace caduca en 7 días.',
  'list.confirmSubscribe.ignoreText':
    'Si no lo ha solicitado, ignore este mensaje: no se hará nada sin su\nconfirmación, y el enlace caduca en 7 días.',
  'list.confirmUnsubscribe.subject': 'Confirme que desea darse de baja de {list}',
  'list.confirmUnsubscribe.asked':
    'Alguien, probablemente usted, ha solicitado dar de baja {address} de {list}.',
  'list.confirmUnsubscribe.button': 'Darme de baja',
  'list.confirmUnsubscribe.ignore':
    'También puede responder simplemente a este correo. Si no lo ha solicitado, ignore este mensaje y su suscripción se mantendrá.',
  'list.confirmUnsubscribe.ignoreText':
    'o simplemente responda a este correo. Si no lo ha solicitado, ignore este\nmensaje y su suscripción se mantendrá.',
  'list.confirmChange.subject': 'Confirme el cambio en su suscripción a {list}',
  'list.confirmChange.asked':
    'Alguien, probablemente usted, ha solicitado cambiar el nombre de la suscripción de {address} a {list} por: {name}',
  'list.confirmChange.askedText':
    'Alguien, probablemente usted, ha solicitado cambiar el nombre de la\nsuscripción de {address} a {list} por: {name}',
  'list.confirmChange.button': 'Confirmar el cambio',
  'list.confirmChange.openLinkText': 'Para confirmar el cambio, abra este enlace y pulse el botón:',
  'list.confirmChange.ignore':
    'Si no lo ha solicitado, ignore este mensaje: nada cambiará sin su confirmación, y este enlace caduca en 7 días.',
  'list.confirmChange.ignoreText':
    'Si no lo ha solicitado, ignore este mensaje: nada cambiará sin su\nconfirmación, y el enlace caduca en 7 días.',
  'list.welcome.subject': 'Bienvenido/a a {list}',
  'list.welcome.now': '¡Bienvenido/a! {address} recibe ahora {list}.',
  'list.welcome.readOnWeb': 'Leerlo en la web',
  'list.welcome.downloadPdf': 'Descargar el PDF',
  'list.welcome.webText': 'Web: {url}',
  'list.welcome.pdfText': 'PDF: {url}',
  'list.welcome.contribute': 'Sus contribuciones son bienvenidas en {address}.',
  'list.welcome.leave':
    'Para darse de baja en cualquier momento, utilice el enlace al pie de cada número o {link}.',
  'list.welcome.thisOne': 'este',
  'list.welcome.leaveText':
    'Para darse de baja en cualquier momento, utilice el enlace al pie de cada\nnúmero o este:',
  'list.goodbye.subject': 'Ya no recibirá {list}',
  'list.goodbye.done': '{address} ya no recibirá {list}.',
  'list.goodbye.again': '¿Ha cambiado de opinión? Envíe «subscribe» a {address}.',
  'list.goodbye.againText': '¿Ha cambiado de opinión? Envíe un correo a {address}.',
  'list.help.subject': 'Cómo utilizar {list}',
  'list.help.addresses': 'Puede escribir a estas direcciones de {list}:',
  'list.acknowledgement.subject':
    '{titled, select, yes {Recibido: {subject}} other {Recibido: su mensaje a {list}}}',
  'list.acknowledgement.thanks':
    'Gracias por escribir a {list}. {titled, select, yes {Su mensaje «{subject}»} other {Su mensaje}} ha llegado a la redacción.',
  'list.acknowledgement.thanksText':
    'Gracias por escribir a {list}. {titled, select, yes {Su mensaje «{subject}»} other {Su mensaje}}\nha llegado a la redacción.',
  'list.acknowledgement.automatic':
    'Esta es una respuesta automática; la redacción se pondrá en contacto con usted si es necesario.',
};
