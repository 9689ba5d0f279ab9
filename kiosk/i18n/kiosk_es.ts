<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../app.py" line="177"/>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <location filename="../app.py" line="597"/>
        <location filename="../app.py" line="856"/>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} min {seconds} s</translation>
    </message>
    <message>
        <location filename="../app.py" line="598"/>
        <location filename="../app.py" line="859"/>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <location filename="../app.py" line="599"/>
        <source>acknowledged</source>
        <translation>atendida</translation>
    </message>
    <message>
        <location filename="../app.py" line="599"/>
        <source>not yet acknowledged</source>
        <translation>aún sin atender</translation>
    </message>
    <message>
        <location filename="../app.py" line="600"/>
        <source>Call made {since} ago</source>
        <translation>Llamada realizada hace {since}</translation>
    </message>
    <message>
        <location filename="../app.py" line="604"/>
        <source>not in the event log</source>
        <translation>no consta en el registro de eventos</translation>
    </message>
    <message>
        <location filename="../app.py" line="607"/>
        <source>Comfort plan: {plan}</source>
        <translation>Plan de confort: {plan}</translation>
    </message>
    <message>
        <location filename="../app.py" line="616"/>
        <source>The clinic&apos;s patient texts have mistakes, so the kiosk&apos;s own words are shown for that language; `kiosk check-config` lists them: {problem}</source>
        <translation>Los textos para pacientes de la clínica tienen errores, por lo que en ese idioma se muestran los textos propios del quiosco; `kiosk check-config` los enumera: {problem}</translation>
    </message>
    <message>
        <location filename="../app.py" line="620"/>
        <source>No staff PIN is configured. Use the one-time PIN printed when the kiosk started, and ask IT to set staff.pin_hash.</source>
        <translation>No hay ningún PIN de personal configurado. Use el PIN de un solo uso que se imprimió al iniciar el quiosco y pida a informática que configure staff.pin_hash.</translation>
    </message>
    <message>
        <location filename="../app.py" line="623"/>
        <source>The event log cannot be used ({problem}). Calls still chime and notify; nothing is recorded until IT fixes it.</source>
        <translation>No se puede usar el registro de eventos ({problem}). Las llamadas siguen sonando y avisando; no se registra nada hasta que informática lo solucione.</translation>
    </message>
    <message>
        <location filename="../app.py" line="627"/>
        <source>The event log cannot be written ({problem}). Calls still chime and notify, but are not recorded.</source>
        <translation>No se puede escribir en el registro de eventos ({problem}). Las llamadas siguen sonando y avisando, pero no quedan registradas.</translation>
    </message>
    <message>
        <location filename="../app.py" line="637"/>
        <source>No audio output was found: neither the call chime nor music can sound in the room.</source>
        <translation>No se ha encontrado ninguna salida de audio: ni el aviso de llamada ni la música pueden sonar en la sala.</translation>
    </message>
    <message>
        <location filename="../app.py" line="670"/>
        <source>The event log cannot be written: {error}</source>
        <translation>No se puede escribir en el registro de eventos: {error}</translation>
    </message>
    <message>
        <location filename="../app.py" line="679"/>
        <source>That PIN is not right.</source>
        <translation>El PIN no es correcto.</translation>
    </message>
    <message>
        <location filename="../app.py" line="681"/>
        <source>That PIN is not right. {left} try left.</source>
        <translation>El PIN no es correcto. Queda {left} intento.</translation>
    </message>
    <message>
        <location filename="../app.py" line="683"/>
        <source>That PIN is not right. {left} tries left.</source>
        <translation>El PIN no es correcto. Quedan {left} intentos.</translation>
    </message>
    <message>
        <location filename="../app.py" line="713"/>
        <source>No visit open.</source>
        <translation>No hay ninguna sesión abierta.</translation>
    </message>
    <message>
        <location filename="../app.py" line="716"/>
        <source>Stage {number} of {count}: {title}</source>
        <translation>Etapa {number} de {count}: {title}</translation>
    </message>
    <message>
        <location filename="../app.py" line="719"/>
        <source>{minutes} min so far</source>
        <translation>{minutes} min transcurridos</translation>
    </message>
    <message>
        <location filename="../app.py" line="721"/>
        <source>planned {minutes} min</source>
        <translation>{minutes} min previstos</translation>
    </message>
    <message>
        <location filename="../app.py" line="730"/>
        <source>The event log cannot be read: {error}</source>
        <translation>No se puede leer el registro de eventos: {error}</translation>
    </message>
    <message>
        <location filename="../app.py" line="860"/>
        <source>Too many wrong PINs. Staff entry is locked for {span}. Patient controls still work.</source>
        <translation>Demasiados PIN incorrectos. El acceso del personal está bloqueado durante {span}. Los controles del paciente siguen funcionando.</translation>
    </message>
    <message>
        <location filename="../app.py" line="870"/>
        <source>The kiosk runs on the last configuration that worked (kept {when}).</source>
        <translation>El quiosco funciona con la última configuración que funcionó (guardada el {when}).</translation>
    </message>
    <message>
        <location filename="../app.py" line="873"/>
        <source>SAFE MODE: no configuration that worked is kept either, so the kiosk runs on its built-in settings. Call nurse chimes in the room only.</source>
        <translation>MODO SEGURO: tampoco hay una configuración que funcionara guardada, así que el quiosco usa sus ajustes de fábrica. Llamar a la enfermera solo suena en la sala.</translation>
    </message>
    <message>
        <location filename="../app.py" line="876"/>
        <source>The configuration was rejected ({count} problem(s)): {problem} {using} IT: run `kiosk check-config` on the files and restart the kiosk.</source>
        <translation>La configuración fue rechazada ({count} problema(s)): {problem} {using} Informática: ejecute `kiosk check-config` con los archivos y reinicie el quiosco.</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <location filename="../widgets.py" line="175"/>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="177"/>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../widgets.py" line="189"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>StaffScreen</name>
    <message>
        <location filename="../screens/staff.py" line="36"/>
        <source>very bad</source>
        <translation>muy mal</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="37"/>
        <source>not good</source>
        <translation>mal</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="38"/>
        <source>okay</source>
        <translation>regular</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="39"/>
        <source>good</source>
        <translation>bien</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="40"/>
        <source>very good</source>
        <translation>muy bien</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="48"/>
        <source>softer music</source>
        <translation>música más suave</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="49"/>
        <source>no music</source>
        <translation>sin música</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="50"/>
        <source>lower lights</source>
        <translation>luz más tenue</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="51"/>
        <source>someone to sit with them</source>
        <translation>alguien que le acompañe</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="52"/>
        <source>help with breathing</source>
        <translation>ayuda con la respiración</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="60"/>
        <source>An adult takes them home</source>
        <translation>Un adulto le acompaña a casa</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="61"/>
        <source>No driving or machines today</source>
        <translation>Hoy no conducir ni manejar maquinaria</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="62"/>
        <source>Rest for the day</source>
        <translation>Descansar el resto del día</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="63"/>
        <source>Drink water</source>
        <translation>Beber agua</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="64"/>
        <source>Eat lightly</source>
        <translation>Comer ligero</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="65"/>
        <source>Knows whom to call</source>
        <translation>Sabe a quién llamar</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="73"/>
        <source>before:</source>
        <translation>antes:</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="74"/>
        <source>after:</source>
        <translation>después:</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="78"/>
        <source>How they feel: {feelings}</source>
        <translation>Cómo se siente: {feelings}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="81"/>
        <source>Comfort plan: {plan}</source>
        <translation>Plan de confort: {plan}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="129"/>
        <location filename="../screens/staff.py" line="167"/>
        <source>Staff · {room}</source>
        <translation>Personal · {room}</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="135"/>
        <location filename="../screens/staff.py" line="181"/>
        <source>Acknowledge call</source>
        <translation>Atender llamada</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="169"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="183"/>
        <source>Resolve call</source>
        <translation>Resolver llamada</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="213"/>
        <source>Start session</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="218"/>
        <source>Planned infusion</source>
        <translation>Infusión prevista</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="227"/>
        <source>Next stage</source>
        <translation>Etapa siguiente</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="229"/>
        <source>Step back</source>
        <translation>Retroceder</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="231"/>
        <source>End session</source>
        <translation>Finalizar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="246"/>
        <source>Yes</source>
        <translation>Sí</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="248"/>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="260"/>
        <source>Exit kiosk</source>
        <translation>Salir del quiosco</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="267"/>
        <source>Before they go home</source>
        <translation>Antes de irse a casa</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="309"/>
        <source>Today in this room</source>
        <translation>Hoy en esta sala</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="358"/>
        <source>Enter the staff PIN.</source>
        <translation>Introduzca el PIN del personal.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="411"/>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="424"/>
        <source>End this visit? Everything of it leaves the screen.</source>
        <translation>¿Finalizar esta sesión? Todos sus datos desaparecerán de la pantalla.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="425"/>
        <source>Yes, end visit</source>
        <translation>Sí, finalizar sesión</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="427"/>
        <source>Close the kiosk? The patient loses the screen.</source>
        <translation>¿Cerrar el quiosco? El paciente se quedará sin pantalla.</translation>
    </message>
    <message>
        <location filename="../screens/staff.py" line="428"/>
        <source>Yes, exit</source>
        <translation>Sí, salir</translation>
    </message>
</context>
</TS>
