<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>CallPaths</name>
    <message>
        <location filename="../call_paths.py" line="97"/>
        <source>The nurse station cannot be reached ({problem}). Calls still chime in the room and are logged; they reach the desk when it is back.</source>
        <translation>No se puede contactar con el puesto de enfermería ({problem}). Las llamadas siguen sonando en la sala y quedan registradas; llegarán al puesto cuando vuelva.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../app.py" line="177"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location filename="../app.py" line="604"/>
        <location filename="../app.py" line="892"/>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} min {seconds} s</translation>
    </message>
    <message>
        <location filename="../app.py" line="605"/>
        <location filename="../app.py" line="895"/>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <location filename="../app.py" line="606"/>
        <source>acknowledged</source>
        <translation>atendida</translation>
    </message>
    <message>
        <location filename="../app.py" line="606"/>
        <source>not yet acknowledged</source>
        <translation>aún sin atender</translation>
    </message>
    <message>
        <location filename="../app.py" line="607"/>
        <source>Call made {since} ago</source>
        <translation>Llamada realizada hace {since}</translation>
    </message>
    <message>
        <location filename="../app.py" line="611"/>
        <source>not in the event log</source>
        <translation>no consta en el registro de eventos</translation>
    </message>
    <message>
        <location filename="../app.py" line="614"/>
        <source>Comfort plan: {plan}</source>
        <translation>Plan de confort: {plan}</translation>
    </message>
    <message>
        <location filename="../app.py" line="623"/>
        <source>The clinic&apos;s patient texts have mistakes, so the kiosk&apos;s own words are shown for that language; `kiosk check-config` lists them: {problem}</source>
        <translation>Los textos para pacientes de la clínica tienen errores, por lo que en ese idioma se muestran los textos propios del quiosco; `kiosk check-config` los enumera: {problem}</translation>
    </message>
    <message>
        <location filename="../app.py" line="627"/>
        <source>No staff PIN is configured. Use the one-time PIN printed when the kiosk started, and ask IT to set staff.pin_hash.</source>
        <translation>No hay ningún PIN de personal configurado. Use el PIN de un solo uso que se imprimió al iniciar el quiosco y pida a informática que configure staff.pin_hash.</translation>
    </message>
    <message>
        <location filename="../app.py" line="630"/>
        <source>The event log cannot be used ({problem}). Calls still chime and notify; nothing is recorded until IT fixes it.</source>
        <translation>No se puede usar el registro de eventos ({problem}). Las llamadas siguen sonando y avisando; no se registra nada hasta que informática lo solucione.</translation>
    </message>
    <message>
        <location filename="../app.py" line="634"/>
        <source>The event log cannot be written ({problem}). Calls still chime and notify, but are not recorded.</source>
        <translation>No se puede escribir en el registro de eventos ({problem}). Las llamadas siguen sonando y avisando, pero no quedan registradas.</translation>
    </message>
    <message>
        <location filename="../app.py" line="644"/>
        <source>No audio output was found: neither the call chime nor music can sound in the room.</source>
        <translation>No se ha encontrado ninguna salida de audio: ni el aviso de llamada ni la música pueden sonar en la sala.</translation>
    </message>
    <message>
        <location filename="../app.py" line="702"/>
        <source>The event log cannot be written: {error}</source>
        <translation>No se puede escribir en el registro de eventos: {error}</translation>
    </message>
    <message>
        <location filename="../app.py" line="711"/>
        <source>That PIN is not right.</source>
        <translation>El PIN no es correcto.</translation>
    </message>
    <message>
        <location filename="../app.py" line="713"/>
        <source>That PIN is not right. {left} try left.</source>
        <translation>El PIN no es correcto. Queda {left} intento.</translation>
    </message>
    <message>
        <location filename="../app.py" line="715"/>
        <source>That PIN is not right. {left} tries left.</source>
        <translation>El PIN no es correcto. Quedan {left} intentos.</translation>
    </message>
    <message>
        <location filename="../app.py" line="745"/>
        <source>No visit open.</source>
        <translation>No hay ninguna sesión abierta.</translation>
    </message>
    <message>
        <location filename="../app.py" line="748"/>
        <source>Stage {number} of {count}: {title}</source>
        <translation>Etapa {number} de {count}: {title}</translation>
    </message>
    <message>
        <location filename="../app.py" line="751"/>
        <source>{minutes} min so far</source>
        <translation>{minutes} min transcurridos</translation>
    </message>
    <message>
        <location filename="../app.py" line="755"/>
        <source>planned {minutes} min</source>
        <translation>{minutes} min previstos</translation>
    </message>
    <message>
        <location filename="../app.py" line="764"/>
        <source>The event log cannot be read: {error}</source>
        <translation>No se puede leer el registro de eventos: {error}</translation>
    </message>
    <message>
        <location filename="../app.py" line="896"/>
        <source>Too many wrong PINs. Staff entry is locked for {span}. Patient controls still work.</source>
        <translation>Demasiados PIN incorrectos. El acceso del personal está bloqueado durante {span}. Los controles del paciente siguen funcionando.</translation>
    </message>
    <message>
        <location filename="../app.py" line="906"/>
        <source>The kiosk runs on the last one that worked ({when}).</source>
        <translation>El quiosco usa la última que funcionó ({when}).</translation>
    </message>
    <message>
        <location filename="../app.py" line="908"/>
        <source>SAFE MODE on built-in settings (none that worked is kept): Call nurse chimes in the room only.</source>
        <translation>MODO SEGURO con ajustes de fábrica (no hay ninguna guardada que funcionara): Llamar a la enfermera solo suena en la sala.</translation>
    </message>
    <message>
        <location filename="../app.py" line="911"/>
        <source>{using} Configuration rejected ({count} problem(s)): {problem} IT: `kiosk status`.</source>
        <translation>{using} Configuración rechazada ({count} problema(s)): {problem} Informática: `kiosk status`.</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../widgets.py" line="176"/>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="178"/>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="190"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>RoomTile</name>
    <message>
        <location filename="../station/window.py" line="174"/>
        <source>ESCALATED</source>
        <translation>ESCALADA</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="183"/>
        <source>Acknowledge</source>
        <translation>Atender</translation>
    </message>
</context>
<context>
    <name>StaffScreen</name>
    <message>
        <location filename="../screens/staff.py" line="39"/>
        <source>very bad</source>
        <translation>muy mal</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="40"/>
        <source>not good</source>
        <translation>mal</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="41"/>
        <source>okay</source>
        <translation>regular</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="42"/>
        <source>good</source>
        <translation>bien</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="43"/>
        <source>very good</source>
        <translation>muy bien</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="51"/>
        <source>softer music</source>
        <translation>música más suave</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="52"/>
        <source>no music</source>
        <translation>sin música</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="53"/>
        <source>lower lights</source>
        <translation>luz más tenue</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="54"/>
        <source>someone to sit with them</source>
        <translation>alguien que le acompañe</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="55"/>
        <source>help with breathing</source>
        <translation>ayuda con la respiración</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="63"/>
        <source>An adult takes them home</source>
        <translation>Un adulto le acompaña a casa</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="64"/>
        <source>No driving or machines today</source>
        <translation>Hoy no conducir ni manejar maquinaria</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="65"/>
        <source>Rest for the day</source>
        <translation>Descansar el resto del día</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="66"/>
        <source>Drink water</source>
        <translation>Beber agua</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="67"/>
        <source>Eat lightly</source>
        <translation>Comer ligero</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="68"/>
        <source>Knows whom to call</source>
        <translation>Sabe a quién llamar</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="76"/>
        <source>before:</source>
        <translation>antes:</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="77"/>
        <source>after:</source>
        <translation>después:</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="81"/>
        <source>How they feel: {feelings}</source>
        <translation>Cómo se siente: {feelings}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="84"/>
        <source>Comfort plan: {plan}</source>
        <translation>Plan de confort: {plan}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="135"/>
        <location filename="../screens/staff.py" line="173"/>
        <source>Staff · {room}</source>
        <translation>Personal · {room}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="141"/>
        <location filename="../screens/staff.py" line="187"/>
        <source>Acknowledge call</source>
        <translation>Atender llamada</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="175"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="189"/>
        <source>Resolve call</source>
        <translation>Resolver llamada</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="219"/>
        <source>Start session</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="224"/>
        <source>Planned infusion</source>
        <translation>Infusión prevista</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="233"/>
        <source>Next stage</source>
        <translation>Etapa siguiente</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="235"/>
        <source>Step back</source>
        <translation>Retroceder</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="237"/>
        <source>End session</source>
        <translation>Finalizar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="252"/>
        <source>Yes</source>
        <translation>Sí</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="254"/>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="266"/>
        <source>Exit kiosk</source>
        <translation>Salir del quiosco</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="273"/>
        <source>Before they go home</source>
        <translation>Antes de irse a casa</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="315"/>
        <source>Today in this room</source>
        <translation>Hoy en esta sala</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="376"/>
        <source>Enter the staff PIN.</source>
        <translation>Introduzca el PIN del personal.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="429"/>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="442"/>
        <source>End this visit? Everything of it leaves the screen.</source>
        <translation>¿Finalizar esta sesión? Todos sus datos desaparecerán de la pantalla.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="443"/>
        <source>Yes, end visit</source>
        <translation>Sí, finalizar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="445"/>
        <source>Close the kiosk? The patient loses the screen.</source>
        <translation>¿Cerrar el quiosco? El paciente se quedará sin pantalla.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="446"/>
        <source>Yes, exit</source>
        <translation>Sí, salir</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <location filename="../station/window.py" line="400"/>
        <source>Nurse station — infusion-kiosk</source>
        <translation>Puesto de enfermería — infusion-kiosk</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="415"/>
        <source>Nurse station</source>
        <translation>Puesto de enfermería</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="440"/>
        <source>No kiosk has been heard from yet.</source>
        <translation>Todavía no ha llegado nada de ningún quiosco.</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="446"/>
        <source>Today&apos;s calls</source>
        <translation>Llamadas de hoy</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="453"/>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="453"/>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="453"/>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="453"/>
        <source>Response</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="453"/>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
</context>
<context>
    <name>StationWords</name>
    <message>
        <location filename="../station/window.py" line="278"/>
        <source>Settling in</source>
        <translation>Acomodándose</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="279"/>
        <source>IV placement</source>
        <translation>Colocación de la vía</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="280"/>
        <source>Infusion</source>
        <translation>Infusión</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="281"/>
        <source>End of infusion</source>
        <translation>Fin de la infusión</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="282"/>
        <source>Recovery</source>
        <translation>Recuperación</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="283"/>
        <source>Going home</source>
        <translation>Vuelta a casa</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="289"/>
        <source>Waiting for the kiosk&apos;s state</source>
        <translation>Esperando el estado del quiosco</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="291"/>
        <source>No visit</source>
        <translation>Sin visita</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="293"/>
        <source>Visit open</source>
        <translation>Visita abierta</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="298"/>
        <source>{minutes} of {planned} min</source>
        <translation>{minutes} de {planned} min</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="301"/>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="307"/>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="309"/>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} min {seconds} s</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="310"/>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="313"/>
        <source>No reason given</source>
        <translation>Sin motivo indicado</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="316"/>
        <source>Acknowledgement sent, waiting for the kiosk…</source>
        <translation>Aviso de atención enviado, esperando al quiosco…</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="319"/>
        <source>Comfort plan: {choices}</source>
        <translation>Plan de confort: {choices}</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="322"/>
        <source>ACKNOWLEDGED</source>
        <translation>ATENDIDA</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="322"/>
        <source>CALLING</source>
        <translation>LLAMANDO</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="326"/>
        <source>waiting {time}</source>
        <translation>esperando {time}</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="332"/>
        <source>Acknowledged (by {by})</source>
        <translation>Atendida (por {by})</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="332"/>
        <source>Acknowledged</source>
        <translation>Atendida</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="334"/>
        <source>Acknowledged (by {by}) after {time}</source>
        <translation>Atendida (por {by}) tras {time}</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="335"/>
        <source>Acknowledged after {time}</source>
        <translation>Atendida tras {time}</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="342"/>
        <source>No word from this kiosk — check the room</source>
        <translation>Sin noticias de este quiosco: revise la sala</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="343"/>
        <source>No word from this kiosk since {time} — check the room</source>
        <translation>Sin noticias de este quiosco desde las {time}: revise la sala</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="349"/>
        <source>Not connected to the broker: {problem}. Calls still chime in each room.</source>
        <translation>Sin conexión con el servidor de mensajes: {problem}. Las llamadas siguen sonando en cada sala.</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="351"/>
        <source>Not connected to the broker. Calls still chime in each room.</source>
        <translation>Sin conexión con el servidor de mensajes. Las llamadas siguen sonando en cada sala.</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="359"/>
        <source>Acknowledged at desk</source>
        <translation>Atendida desde el puesto</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="359"/>
        <source>Acknowledged in room</source>
        <translation>Atendida en la sala</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="361"/>
        <source>{answered}, resolved</source>
        <translation>{answered}, resuelta</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="363"/>
        <source>{answered}, cancelled</source>
        <translation>{answered}, cancelada</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="366"/>
        <source>Resolved</source>
        <translation>Resuelta</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="368"/>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <location filename="../station/window.py" line="369"/>
        <source>Open</source>
        <translation>Abierta</translation>
    </message>
</context>
</TS>
